import * as vscode from 'vscode';
import { answerRecall, type RecallInput } from '../../src/compaction/recall';
import { createTimeSlicer } from '../../src/compaction/timeSlicer';
import type { SessionService } from '../sessions/sessionService';
import { requestSessions } from './requestSessions';

const shorten = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * Gives the model back what compaction took out of its context: a masked
 * result by its recall id, or a search over the session's whole log
 * (src/compaction/recall). Read-only, so no confirmation. The session is the
 * one of the @compactor chat the call comes from (requestSessions.ts); the
 * search runs in 8 ms slices so a long session never stalls the host.
 */
export function recallTool(sessions: SessionService): vscode.LanguageModelTool<RecallInput> {
  return {
    prepareInvocation(options) {
      const input = options.input as { id?: unknown; query?: unknown };
      if (typeof input.id === 'string') return { invocationMessage: `Recalling ${shorten(input.id, 60)}` };
      if (typeof input.query === 'string') return { invocationMessage: `Searching this session for "${shorten(input.query, 60)}"` };
      return { invocationMessage: 'Recalling from this session' };
    },
    async invoke(options) {
      const found = requestSessions.sessionFor(options.toolInvocationToken);
      if (!found.ok) throw new Error(found.error);
      const log = await sessions.load(found.sessionId);
      const answer = await answerRecall(log, options.input, createTimeSlicer());
      if (!answer.ok) throw new Error(answer.error);
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(answer.text)]);
    },
  };
}
