import * as vscode from 'vscode';
import type { CompactorContext } from '../compactorContext';
import { toChatMetadata } from '../sessions/sessionMapping';
import { describeModelError } from './modelErrors';
import { ensureRoomForRequest } from './ensureRoom';
import { toModelMessages } from './modelMessages';
import { PARTICIPANT_ID, sessionForRequest } from './sessionForRequest';
import { runSlashCommand } from './slashCommands';
import { requestSessions } from '../tools/requestSessions';
import { cancelledResults, offeredTools, runModelRound, runTools } from './toolLoop';

export { PARTICIPANT_ID };

/** Re-sends "continue" to @compactor in the same chat, so a long task goes on after the round limit. */
export function continueButton(): vscode.Command {
  return { title: 'Continue', command: 'workbench.action.chat.open', arguments: [{ query: `@compactor ${CONTINUE_PROMPT}` }] };
}

export const CONTINUE_PROMPT = 'continue';

/**
 * The @compactor participant: each chat belongs to a session (its id travels
 * in `ChatResult.metadata`); every message is appended to the session log,
 * the context sent to the model is the fold over that log, and the session is
 * compacted before a request (or a tool round) would pass the auto-compact level.
 */
export function registerChatParticipant(ctx: CompactorContext): vscode.Disposable {
  const handler: vscode.ChatRequestHandler = async (request, chatContext, stream, token) => {
    const sessions = ctx.sessions;
    let sessionId: string | undefined;
    let turn = 0;
    // The recall tool finds this request's session through the chat its token names (tools/requestSessions.ts).
    let running: { dispose(): void } | undefined;
    try {
      const found = await sessionForRequest(sessions, request, chatContext.history);
      sessionId = found.log.header.id;
      turn = found.turn;
      running = requestSessions.begin(request.toolInvocationToken, sessionId);
      if (found.decision.kind === 'rewind') ctx.output.info(`session ${sessionId}: ${found.decision.reason}`);
      if (request.command) {
        await runSlashCommand(ctx, request, sessionId, stream, token);
        return { metadata: toChatMetadata(sessionId, turn) };
      }
      if (!request.prompt.trim()) {
        stream.markdown('Ask me something, or use /compact, /usage, /history or /revert.');
        return { metadata: toChatMetadata(sessionId, turn) };
      }
      sessions.markBusy(sessionId, true);
      await sessions.appendMessages(sessionId, [{ role: 'user', parts: [{ type: 'text', text: request.prompt }], turn }]);
      const agent = ctx.config.settings.agent;
      const { tools, refused } = offeredTools(request, agent.externalTools);
      if (refused.length) stream.markdown(`${refused.map((r) => `_#${r.name} is not offered to the model: ${r.reason}._`).join('\n\n')}\n\n`);
      for (let round = 0; ; round++) {
        if (round >= agent.maxToolRounds) {
          stream.markdown(`\n\n**Stopped after ${agent.maxToolRounds} tool rounds** (\`compactor.agent.maxToolRounds\`). The work so far is kept; Continue picks it up from here.`);
          stream.button(continueButton());
          break;
        }
        // Compaction happens here only, between rounds: every tool call in the log already has its result.
        const room = await ensureRoomForRequest(ctx, sessionId, stream, token, request.model);
        if (!room.ok) {
          return { metadata: toChatMetadata(sessionId, turn), errorDetails: { message: room.message } };
        }
        const log = await sessions.load(sessionId);
        const { parts, toolCalls } = await runModelRound(request.model, toModelMessages(sessions.context(log)), tools, stream, token);
        if (parts.length) await sessions.appendMessages(sessionId, [{ role: 'assistant', parts, turn }]);
        if (toolCalls.length === 0) break;
        if (token.isCancellationRequested) {
          // The calls are in the log: give each a result before stopping.
          await sessions.appendMessages(sessionId, [{ role: 'tool', parts: cancelledResults(toolCalls), turn }]);
          break;
        }
        const results = await runTools(toolCalls, request, token);
        await sessions.appendMessages(sessionId, [{ role: 'tool', parts: results, turn }]);
        if (token.isCancellationRequested) break;
      }
      return { metadata: toChatMetadata(sessionId, turn) };
    } catch (err) {
      const message = err instanceof vscode.LanguageModelError || !(err instanceof Error) ? describeModelError(err) : err.message;
      ctx.output.error(`chat request failed: ${message}`);
      return { errorDetails: { message }, ...(sessionId ? { metadata: toChatMetadata(sessionId, turn) } : {}) };
    } finally {
      running?.dispose();
      if (sessionId) sessions.markBusy(sessionId, false);
    }
  };
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, handler);
  participant.iconPath = new vscode.ThemeIcon('fold');
  return participant;
}
