import * as vscode from 'vscode';
import type { CompactorContext } from '../compactorContext';
import { describeModelError } from './modelErrors';

export const PARTICIPANT_ID = 'compactor.chat';

/**
 * The @compactor participant. This first version forwards the conversation the
 * Chat view shows to `request.model` and streams the reply; sessions, tools and
 * compaction plug in here.
 */
export function registerChatParticipant(ctx: CompactorContext): vscode.Disposable {
  const handler: vscode.ChatRequestHandler = async (request, chatContext, stream, token) => {
    const messages: vscode.LanguageModelChatMessage[] = [];
    for (const turn of chatContext.history) {
      if (turn instanceof vscode.ChatRequestTurn) {
        messages.push(vscode.LanguageModelChatMessage.User(turn.prompt));
      } else if (turn instanceof vscode.ChatResponseTurn) {
        const text = turn.response
          .map((p) => (p instanceof vscode.ChatResponseMarkdownPart ? p.value.value : ''))
          .join('');
        if (text) messages.push(vscode.LanguageModelChatMessage.Assistant(text));
      }
    }
    messages.push(vscode.LanguageModelChatMessage.User(request.prompt));
    try {
      const response = await request.model.sendRequest(messages, {}, token);
      for await (const chunk of response.text) {
        if (token.isCancellationRequested) break;
        stream.markdown(chunk);
      }
      return {};
    } catch (err) {
      const message = describeModelError(err);
      ctx.output.error(`chat request failed: ${message}`);
      return { errorDetails: { message } };
    }
  };
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, handler);
  participant.iconPath = new vscode.ThemeIcon('fold');
  return participant;
}
