/**
 * Which session a Chat view request belongs to. The Chat view gives a
 * participant no session id, so the participant returns `{ sessionId, turn }`
 * in `ChatResult.metadata` and finds it again in the history of the next
 * request. Pure: the caller turns VS Code's history into `ShownTurn`s and says
 * what the store knows about a session.
 *
 * The session follows what the Chat view shows. Turn numbers count the
 * request/response pairs of the session; the next request's turn is the turn
 * of the newest response with metadata plus the pairs shown after it. When the
 * log already holds that turn or later ones (the user edited or retried an
 * earlier request, so the Chat view dropped the pairs after it), those turns
 * are superseded: the caller records that, and the context must leave them out.
 */
import * as z from 'zod';
import { SESSION_ID_PATTERN } from './sessionId';

/** What the participant puts in `ChatResult.metadata` (other keys may sit beside it). */
export const SessionTurnMetadataSchema = z.object({
  sessionId: z.string().regex(SESSION_ID_PATTERN),
  turn: z.number().int().nonnegative(),
});
export type SessionTurnMetadata = z.infer<typeof SessionTurnMetadataSchema>;

/** One request/response pair as the Chat view shows it, oldest first. */
export interface ShownTurn {
  prompt: string;
  /** The response's `ChatResult.metadata`, untrusted (absent when the response had none). */
  metadata?: unknown;
}

/** What the store knows about a session. */
export interface KnownSession {
  /** Highest turn recorded in its log; undefined when it holds no turn yet. */
  lastTurn?: number;
}

export type SessionDecision =
  | { kind: 'new'; turn: 0; reason: string }
  | { kind: 'follow-up'; sessionId: string; turn: number }
  | {
      kind: 'rewind';
      sessionId: string;
      turn: number;
      /** Turns in the log that the Chat view no longer shows, ascending. */
      supersededTurns: number[];
      reason: string;
    };

export function toChatMetadata(sessionId: string, turn: number): SessionTurnMetadata {
  return SessionTurnMetadataSchema.parse({ sessionId, turn });
}

export function decideSession(
  history: readonly ShownTurn[],
  lookup: (sessionId: string) => KnownSession | undefined,
): SessionDecision {
  // The newest response that carries metadata anchors the session.
  let anchorIndex = -1;
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i]?.metadata !== undefined && history[i]?.metadata !== null) {
      anchorIndex = i;
      break;
    }
  }
  if (anchorIndex === -1) {
    return {
      kind: 'new',
      turn: 0,
      reason: history.length === 0 ? 'new chat' : 'no response in this chat carries a session id',
    };
  }
  const parsed = SessionTurnMetadataSchema.safeParse(history[anchorIndex]?.metadata);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { kind: 'new', turn: 0, reason: `malformed session metadata (${where}${issue?.message ?? 'invalid'})` };
  }
  const { sessionId, turn: anchorTurn } = parsed.data;
  const known = lookup(sessionId);
  if (!known) return { kind: 'new', turn: 0, reason: `session ${sessionId} no longer exists` };

  // Pairs shown after the anchor (responses that failed before returning metadata) still took a turn.
  const turn = anchorTurn + (history.length - anchorIndex);
  const lastTurn = known.lastTurn;
  if (lastTurn === undefined || lastTurn < turn) return { kind: 'follow-up', sessionId, turn };
  const supersededTurns: number[] = [];
  for (let t = turn; t <= lastTurn; t++) supersededTurns.push(t);
  const reason =
    supersededTurns.length === 1
      ? `the request of turn ${turn} was edited or retried`
      : `an earlier request (turn ${turn}) was edited or retried; turns ${turn}–${lastTurn} are no longer shown`;
  return { kind: 'rewind', sessionId, turn, supersededTurns, reason };
}
