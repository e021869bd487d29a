/**
 * The last step of every compaction (deterministic planner and LLM pipeline):
 * fold the new record into the context, store its after-size and duration,
 * validate it, and reject a result that does not shrink the context.
 */
import { contextOf, contextTokens } from './context';
import { type CompactionRecord, CompactionRecordSchema, type SessionLog } from './records';
import type { Clock, ContextMessage, TokenCounter } from './types';

/** Messages of a context as reports count them (the system prompt is not one). */
export const countMessages = (context: readonly ContextMessage[]): number => context.filter((m) => m.kind !== 'system').length;

export type FinishedRecord =
  | { status: 'invalid_request'; after: { tokens: number; messages: number }; reason: string }
  | { status: 'inflated'; after: { tokens: number; messages: number }; reason: string }
  | { status: 'compacted'; after: { tokens: number; messages: number }; context: ContextMessage[]; over: boolean; reason?: string };

/** Completes `record` in place (`after`, `durationMs`) and says whether it may be appended. */
export function finishRecord(
  log: SessionLog,
  record: CompactionRecord,
  options: { before: { tokens: number }; targetTokens: number; counter: TokenCounter; clock: Clock; started: number },
): FinishedRecord {
  const context = contextOf({ header: log.header, records: [...log.records, record] }, options.counter);
  record.after = { tokens: contextTokens(context), messages: countMessages(context) };
  record.durationMs = Math.max(0, options.clock.now() - options.started);
  const after = record.after;
  const checked = CompactionRecordSchema.safeParse(record);
  if (!checked.success) {
    return { status: 'invalid_request', after, reason: `the compaction record is invalid: ${checked.error.issues[0]?.message ?? 'unknown'}` };
  }
  if (after.tokens >= options.before.tokens) {
    return { status: 'inflated', after, reason: `the result has ${after.tokens} tokens, not fewer than the ${options.before.tokens} before` };
  }
  const over = after.tokens > options.targetTokens;
  const reason = over ? `still over target: ${after.tokens} > ${options.targetTokens} tokens (the kept tail is too large to shrink further)` : undefined;
  return { status: 'compacted', after, context, over, ...(reason ? { reason } : {}) };
}
