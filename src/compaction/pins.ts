/**
 * Pins: messages the person wants kept verbatim through every compaction
 * (DESIGN.md, Second milestone: Control). A `pin` record pins or unpins one
 * message; the newest record of a message wins, so an unpin is the revert of
 * a pin and the log keeps both.
 *
 * What "kept" means (the fold, context.ts, and every tier honour it):
 * - A pinned message is never masked, summarized or truncated. The planner
 *   and the LLM pipeline leave it out of `covered` and `replaced`, so it stays
 *   in its place; a summary of the messages around it sits at the position of
 *   the first covered message (so a pinned message in the middle of a
 *   summarized stretch reads right after the summary).
 * - A message pinned after a compaction covered or masked it comes back: the
 *   fold shows it verbatim right after the summary (covered) or with its
 *   original parts (masked). An unpin changes nothing until the next
 *   compaction, which may then fold the message away.
 * - Pins keep tool pairs whole: pinning a message with tool calls keeps the
 *   messages with their results, pinning a result keeps the call (and that
 *   call's other results), so the provider never sees a call without its
 *   result (`keptPinIds`).
 * - A pin of a superseded (rewound) or unknown message is ignored.
 */
import type { BodyRecord, MessageRecord, PinRecord } from './records';

/**
 * Ids the person pinned (newest pin record per message wins) among `messages`
 * (the log's messages that are not superseded: context.ts messagesOf).
 */
export function pinnedIdsAmong(records: readonly BodyRecord[], messages: readonly Pick<MessageRecord, 'id'>[]): Set<string> {
  const state = new Map<string, boolean>();
  for (const r of records) if (r.type === 'pin') state.set(r.messageId, r.pinned);
  const out = new Set<string>();
  if (state.size === 0) return out;
  for (const m of messages) if (state.get(m.id) === true) out.add(m.id);
  return out;
}

/**
 * The pinned ids plus the messages their tool pairs need (a call's results, a
 * result's call and its sibling results), to a fixed point.
 */
export function withToolPairs(messages: readonly Pick<MessageRecord, 'id' | 'parts'>[], pinned: ReadonlySet<string>): Set<string> {
  const out = new Set(pinned);
  if (out.size === 0) return out;
  const callAt = new Map<string, string>();
  const resultsAt = new Map<string, string[]>();
  for (const m of messages) {
    for (const p of m.parts) {
      if (p.type === 'tool_call') callAt.set(p.id, m.id);
      else if (p.type === 'tool_result') resultsAt.set(p.callId, [...(resultsAt.get(p.callId) ?? []), m.id]);
    }
  }
  const byId = new Map(messages.map((m) => [m.id, m]));
  const queue = [...out];
  while (queue.length > 0) {
    const m = byId.get(queue.pop() ?? '');
    if (!m) continue;
    for (const p of m.parts) {
      const callId = p.type === 'tool_call' ? p.id : p.type === 'tool_result' ? p.callId : undefined;
      if (callId === undefined) continue;
      for (const id of [callAt.get(callId), ...(resultsAt.get(callId) ?? [])]) {
        if (id !== undefined && !out.has(id)) {
          out.add(id);
          queue.push(id);
        }
      }
    }
  }
  return out;
}

/** Every message compaction must keep verbatim: the pins with their tool pairs (context.ts keptPinIds(log)). */
export function keptPinIdsAmong(records: readonly BodyRecord[], messages: readonly Pick<MessageRecord, 'id' | 'parts'>[]): Set<string> {
  const pinned = pinnedIdsAmong(records, messages);
  return pinned.size === 0 ? pinned : withToolPairs(messages, pinned);
}

/** A pin (or unpin) record for `messageId`. */
export function pinRecord(
  messageId: string,
  pinned: boolean,
  fields: { id: string; at: string; quote?: string; origin?: string },
): PinRecord {
  return {
    type: 'pin',
    id: fields.id,
    at: fields.at,
    messageId,
    pinned,
    ...(fields.quote ? { quote: fields.quote } : {}),
    ...(fields.origin ? { origin: fields.origin } : {}),
  };
}


/** What the pins cost in a context, and a sentence when they keep it over the target. */
export interface PinBudget {
  messages: number;
  tokens: number;
  /** Set when the result is over the target with pins in it: the pins were kept, not dropped, and this says so. */
  note?: string;
}

/**
 * The pins' share of a compacted `context` against `targetTokens`. A
 * compaction never drops a pin to fit: when the result is still over the
 * target, the report says how much of it the pins hold (or that they alone
 * exceed it) so the person can unpin.
 */
export function pinBudget(context: readonly { kind: string; tokens: number; pinned?: boolean }[], targetTokens: number): PinBudget {
  let messages = 0;
  let tokens = 0;
  let total = 0;
  let fixed = 0;
  for (const m of context) {
    total += m.tokens;
    if (m.kind === 'system') fixed += m.tokens;
    if (m.pinned) {
      messages++;
      tokens += m.tokens;
    }
  }
  // A note only when the pins are why the result is over: without them it would fit (else the kept tail is, and the
  // report's reason already says so).
  if (messages === 0 || total <= targetTokens || total - tokens > targetTokens) return { messages, tokens };
  const n = messages === 1 ? 'the pinned message' : `the ${messages} pinned messages`;
  const were = messages === 1 ? 'was' : 'were';
  const note =
    fixed + tokens > targetTokens
      ? `${n} alone (${tokens} tokens) ${messages === 1 ? 'exceeds' : 'exceed'} the target of ${targetTokens} tokens; ${messages === 1 ? 'it was' : 'they were'} kept verbatim — unpin some to compact further`
      : `${n} (${tokens} tokens) ${were} kept verbatim and ${messages === 1 ? 'keeps' : 'keep'} the result over the target of ${targetTokens} tokens — unpin some to compact further`;
  return { messages, tokens, note };
}
