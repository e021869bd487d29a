import * as vscode from 'vscode';
import type { Part } from '../../src/compaction/records';
import type { ContextMessage } from '../../src/compaction/types';
import { partText } from '../../src/compaction/export/openai';

/**
 * The context (a fold over the session log) as `vscode.lm` messages. The
 * stable API has user and assistant roles only: the system prompt, the summary
 * and attachments travel as user messages, clearly labelled; tool results as
 * `LanguageModelToolResultPart`s in a user message after their call.
 */
export function toModelMessages(context: readonly ContextMessage[]): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = [];
  for (const m of context) {
    switch (m.kind) {
      case 'system':
        out.push(vscode.LanguageModelChatMessage.User(`<instructions>\n${textOf(m.parts)}\n</instructions>`));
        break;
      case 'summary':
        out.push(vscode.LanguageModelChatMessage.User(`<conversation-summary>\n${textOf(m.parts)}\n</conversation-summary>`));
        break;
      case 'attachment':
        out.push(vscode.LanguageModelChatMessage.User(`<attachment>\n${textOf(m.parts)}\n</attachment>`));
        break;
      case 'message':
        out.push(...fromMessage(m));
        break;
    }
  }
  return out;
}

function fromMessage(m: ContextMessage): vscode.LanguageModelChatMessage[] {
  if (m.role === 'assistant') {
    const content: Array<vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart> = [];
    for (const p of m.parts) {
      if (p.type === 'text' && p.text) content.push(new vscode.LanguageModelTextPart(p.text));
      else if (p.type === 'tool_call') content.push(new vscode.LanguageModelToolCallPart(p.id, p.name, typeof p.args === 'string' ? { input: p.args } : p.args));
    }
    return content.length ? [vscode.LanguageModelChatMessage.Assistant(content)] : [];
  }
  const content: Array<vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart> = [];
  for (const p of m.parts) {
    if (p.type === 'tool_result') {
      content.push(new vscode.LanguageModelToolResultPart(p.callId, [new vscode.LanguageModelTextPart(p.isError ? `Error: ${p.text}` : p.text)]));
    } else {
      const text = partText(p);
      if (text) content.push(new vscode.LanguageModelTextPart(text));
    }
  }
  return content.length ? [vscode.LanguageModelChatMessage.User(content)] : [];
}

function textOf(parts: readonly Part[]): string {
  return parts.map(partText).filter(Boolean).join('\n');
}
