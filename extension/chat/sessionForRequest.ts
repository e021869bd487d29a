import * as vscode from 'vscode';
import { messagesOf } from '../../src/compaction/context';
import type { ModelInfo, SessionLog } from '../../src/compaction/records';
import { decideSession, SessionTurnMetadataSchema, type SessionDecision, type ShownTurn } from '../sessions/sessionMapping';
import type { SessionService } from '../sessions/sessionService';
import systemPrompt from './systemPrompt.md';

export const PARTICIPANT_ID = 'compactor.chat';

export function modelInfoOf(model: vscode.LanguageModelChat): ModelInfo {
  return { id: model.id, family: model.family, vendor: model.vendor, maxInputTokens: model.maxInputTokens };
}

/** The request/response pairs of this participant that the Chat view shows, oldest first. */
export function shownTurns(history: ReadonlyArray<vscode.ChatRequestTurn | vscode.ChatResponseTurn>): ShownTurn[] {
  const out: ShownTurn[] = [];
  for (let i = 0; i < history.length; i++) {
    const req = history[i];
    if (!(req instanceof vscode.ChatRequestTurn) || req.participant !== PARTICIPANT_ID) continue;
    const next = history[i + 1];
    const metadata = next instanceof vscode.ChatResponseTurn ? next.result.metadata : undefined;
    out.push({ prompt: req.prompt, ...(metadata !== undefined ? { metadata } : {}) });
  }
  return out;
}

/**
 * Finds (or creates) the session a chat request belongs to and brings the log
 * in line with what the Chat view shows (a `rewind` when an earlier request
 * was edited or retried).
 */
export async function sessionForRequest(
  sessions: SessionService,
  request: vscode.ChatRequest,
  history: ReadonlyArray<vscode.ChatRequestTurn | vscode.ChatResponseTurn>,
): Promise<{ log: SessionLog; turn: number; decision: SessionDecision }> {
  const shown = shownTurns(history);
  // Load the sessions the history names, so the pure decision can look them up.
  const known = new Map<string, number | undefined>();
  for (const t of shown) {
    const parsed = SessionTurnMetadataSchema.safeParse(t.metadata);
    if (!parsed.success || known.has(parsed.data.sessionId)) continue;
    try {
      const log = await sessions.load(parsed.data.sessionId);
      const turns = messagesOf(log).map((m) => m.turn ?? -1);
      known.set(parsed.data.sessionId, turns.length ? Math.max(...turns) : undefined);
    } catch {
      // Deleted or unreadable: the decision starts a new session and says why.
    }
  }
  const decision = decideSession(shown, (id) => (known.has(id) ? { lastTurn: known.get(id) } : undefined));
  const model = modelInfoOf(request.model);
  let log: SessionLog;
  if (decision.kind === 'new') {
    log = await sessions.create(model, titleOf(request.prompt), systemPrompt.trim());
  } else {
    log = await sessions.load(decision.sessionId);
    sessions.useModel(decision.sessionId, model);
    if (decision.kind === 'rewind') await sessions.rewind(decision.sessionId, decision.turn, decision.reason);
  }
  sessions.rememberChatModel(log.header.id, request.model);
  sessions.setActive(log.header.id);
  return { log, turn: decision.turn, decision };
}

function titleOf(prompt: string): string {
  const line = prompt.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New session';
}
