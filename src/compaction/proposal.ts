/**
 * Propose now, apply later: a compaction record computed on one state of a
 * session log may be appended to a later state only when the later state is
 * the earlier one plus new messages. Used by the preview (a person reads and
 * edits the summary first) and by background preparation (the summary is
 * written before the auto-compaction point).
 *
 * Why messages added since are harmless: the context is a fold over the newest
 * compaction (context.ts), and messages appended after the proposal are not in
 * its `covered` or `replaced`, so they stay verbatim after the summary. Any
 * other record since (a compaction, a revert, a rewind, a record type this
 * module does not know) may change what the summary covers, so the proposal is
 * stale. Pure: no I/O, no clock.
 */
import { contextOf, contextTokens } from './context';
import { countMessages } from './finishRecord';
import type { CompactionRecord, SessionLog } from './records';
import type { TokenCounter } from './types';

/** The log as the proposal saw it: the id of every record, in order. */
export interface LogMark {
  ids: readonly string[];
}

export function markOf(log: SessionLog): LogMark {
  return { ids: log.records.map((r) => r.id) };
}

export type ChangeSince = { ok: true; addedMessages: number } | { ok: false; reason: string };

const CHANGE_REASONS: Record<string, string> = {
  compaction: 'the session was compacted since',
  revert: 'a compaction was reverted since',
  rewind: 'a request was edited or retried since',
};

/** Whether `log` is still the marked log plus new messages. */
export function changeSince(mark: LogMark, log: SessionLog): ChangeSince {
  const { ids } = mark;
  if (log.records.length < ids.length) return { ok: false, reason: 'records of the session were removed since' };
  for (let i = 0; i < ids.length; i++) {
    if (log.records[i]?.id !== ids[i]) return { ok: false, reason: 'the session log was rewritten since' };
  }
  let addedMessages = 0;
  for (let i = ids.length; i < log.records.length; i++) {
    const r = log.records[i]!;
    if (r.type !== 'message') return { ok: false, reason: CHANGE_REASONS[r.type] ?? `a ${String(r.type)} record was added since` };
    addedMessages++;
  }
  return { ok: true, addedMessages };
}

export type Rebased = { ok: true; record: CompactionRecord } | { ok: false; reason: string };

/**
 * The record with `before` and `after` measured on `log` (which may hold
 * messages appended since the proposal). Rejects a record that would not make
 * the context smaller (e.g. an edited summary longer than what it replaces).
 */
export function rebaseRecord(record: CompactionRecord, log: SessionLog, counter?: TokenCounter): Rebased {
  const current = contextOf(log, counter);
  const before = { tokens: contextTokens(current), messages: countMessages(current) };
  const next: CompactionRecord = { ...record, before };
  const folded = contextOf({ header: log.header, records: [...log.records, next] }, counter);
  next.after = { tokens: contextTokens(folded), messages: countMessages(folded) };
  if (next.after.tokens >= before.tokens) {
    return { ok: false, reason: `the result would have ${next.after.tokens} tokens, not fewer than the ${before.tokens} now` };
  }
  return { ok: true, record: next };
}
