/**
 * The context sent to a model is a fold over the session log (docs/architecture.md,
 * Sessions): the system prompt, then the messages with the newest non-reverted
 * compaction applied, then the messages appended after that compaction.
 *
 * Invariants:
 * - Pure: the same log gives the same context. Token counts come from the log
 *   (message `tokens`, `summaryTokens`, attachment `tokens`); nothing is
 *   re-tokenized, except a system prompt whose count was never stored.
 * - A compaction's `covered` is cumulative, so only the newest non-reverted
 *   compaction matters; older ones are history.
 * - Pinned messages (pins.ts) are always verbatim: one pinned after a
 *   compaction covered it reads right after the summary, one masked reads
 *   with its original parts. Their context messages carry `pinned: true`.
 */
import { ESTIMATE_CHARS_PER_TOKEN, MESSAGE_OVERHEAD_TOKENS } from './constants';
import { keptPinIdsAmong } from './pins';
import type { CompactionRecord, MessageRecord, SessionLog } from './records';
import type { ContextMessage, TokenCounter } from './types';

/** Ids of compactions cancelled by a `revert` record. */
export function revertedIds(log: SessionLog): Set<string> {
  const out = new Set<string>();
  for (const r of log.records) if (r.type === 'revert') out.add(r.compactionId);
  return out;
}

/** The compaction that defines the current context, if any. */
export function activeCompaction(log: SessionLog): CompactionRecord | undefined {
  return activeCompactionAt(log)?.record;
}

/** The active compaction and its position in `log.records`. */
export function activeCompactionAt(log: SessionLog): { record: CompactionRecord; index: number } | undefined {
  const reverted = revertedIds(log);
  for (let i = log.records.length - 1; i >= 0; i--) {
    const r = log.records[i];
    if (r?.type === 'compaction' && !reverted.has(r.id)) return { record: r, index: i };
  }
  return undefined;
}

/**
 * Ids of messages superseded by a `rewind` record: those of turns >= its
 * `fromTurn` appended before it (the user edited or retried that request).
 */
export function supersededIds(log: SessionLog): Set<string> {
  const out = new Set<string>();
  const seen: MessageRecord[] = [];
  for (const r of log.records) {
    if (r.type === 'message') seen.push(r);
    else if (r.type === 'rewind') {
      for (const m of seen) if (m.turn !== undefined && m.turn >= r.fromTurn) out.add(m.id);
    }
  }
  return out;
}

/** Every message record of the log that is not superseded, in order. */
export function messagesOf(log: SessionLog): MessageRecord[] {
  const superseded = supersededIds(log);
  return log.records.filter((r): r is MessageRecord => r.type === 'message' && !superseded.has(r.id));
}

/** Messages compaction keeps verbatim: the person's pins with their tool pairs (pins.ts). */
export function keptPinIds(log: SessionLog): Set<string> {
  return keptPinIdsAmong(log.records, messagesOf(log));
}

export function contextTokens(context: readonly ContextMessage[]): number {
  let sum = 0;
  for (const m of context) sum += m.tokens;
  return sum;
}

/** The system prompt's tokens: stored when known, else counted (or estimated without a counter). */
export function systemTokensOf(log: SessionLog, counter?: TokenCounter): number {
  const prompt = log.header.systemPrompt;
  if (!prompt) return 0;
  if (log.header.systemTokens !== undefined) return log.header.systemTokens;
  if (counter) return counter.countText(prompt) + MESSAGE_OVERHEAD_TOKENS;
  return Math.ceil(prompt.length / ESTIMATE_CHARS_PER_TOKEN) + MESSAGE_OVERHEAD_TOKENS;
}

function verbatim(m: MessageRecord, pinned?: ReadonlySet<string>): ContextMessage {
  const out: ContextMessage = { kind: 'message', role: m.role, parts: m.parts, tokens: m.tokens, messageId: m.id };
  if (pinned?.has(m.id)) out.pinned = true;
  return out;
}

/** The summary and attachments of a compaction as context messages. */
export function summaryMessages(c: CompactionRecord): ContextMessage[] {
  const out: ContextMessage[] = [];
  if (c.summary) {
    out.push({ kind: 'summary', role: 'user', parts: [{ type: 'text', text: c.summary }], tokens: c.summaryTokens });
  }
  for (const a of c.attachments ?? []) {
    out.push({ kind: 'attachment', role: 'user', parts: [{ type: 'text', text: a.text }], tokens: a.tokens });
  }
  return out;
}

export function contextOf(log: SessionLog, counter?: TokenCounter): ContextMessage[] {
  const out: ContextMessage[] = [];
  if (log.header.systemPrompt) {
    out.push({
      kind: 'system',
      role: 'system',
      parts: [{ type: 'text', text: log.header.systemPrompt }],
      tokens: systemTokensOf(log, counter),
    });
  }
  const active = activeCompactionAt(log);
  const pinned = keptPinIds(log);
  if (!active) {
    for (const m of messagesOf(log)) out.push(verbatim(m, pinned));
    return out;
  }
  const superseded = supersededIds(log);
  const { record: c, index } = active;
  const covered = new Set(c.covered);
  const replaced = new Map((c.replaced ?? []).map((r) => [r.messageId, r]));
  const inserted = summaryMessages(c);
  let placed = false;
  for (let i = 0; i < index; i++) {
    const m = log.records[i];
    if (m?.type !== 'message' || superseded.has(m.id)) continue;
    if (covered.has(m.id)) {
      if (!placed) out.push(...inserted);
      placed = true;
      // Pinned after this compaction covered it: back, verbatim, right after the summary (pins.ts).
      if (pinned.has(m.id)) out.push(verbatim(m, pinned));
      continue;
    }
    const r = pinned.has(m.id) ? undefined : replaced.get(m.id);
    out.push(r ? { kind: 'message', role: m.role, parts: r.parts, tokens: r.tokens, messageId: m.id } : verbatim(m, pinned));
  }
  // Nothing covered (mask only) but attachments: they go after the compacted part.
  if (!placed) out.push(...inserted);
  for (let i = index + 1; i < log.records.length; i++) {
    const m = log.records[i];
    if (m?.type === 'message' && !superseded.has(m.id)) out.push(verbatim(m, pinned));
  }
  return out;
}
