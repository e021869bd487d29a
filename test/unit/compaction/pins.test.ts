import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextOf, contextTokens, keptPinIds } from '../../../src/compaction/context';
import { findMessageByQuote, lastReply, pinsOf } from '../../../src/compaction/pinList';
import { pinBudget, pinRecord, pinnedIdsAmong, withToolPairs } from '../../../src/compaction/pins';
import { compact } from '../../../src/compaction/planner';
import { BodyRecordSchema, type PinRecord, type SessionLog } from '../../../src/compaction/records';
import { usageOf } from '../../../src/compaction/usage';
import { budgetFor } from '../../../src/compaction/budget';
import type { CompactOptions } from '../../../src/compaction/types';
import { codingSession, estimate, fakeClock, revert } from './fixtures';

let n = 0;
const pin = (messageId: string, pinned = true, quote?: string): PinRecord =>
  pinRecord(messageId, pinned, { id: `pin-${++n}`, at: '2025-01-01T00:00:01.000Z', ...(quote ? { quote } : {}) });
const withRecords = (log: SessionLog, ...records: SessionLog['records']): SessionLog => ({ ...log, records: [...log.records, ...records] });
const options = (targetTokens: number, fields: Partial<CompactOptions> = {}): CompactOptions => ({
  source: 'manual', strategy: 'auto', targetTokens, counter: estimate, clock: fakeClock(), ...fields,
});
/** The text the model would read for a message id in a context (undefined when it is not there verbatim). */
const textIn = (log: SessionLog, id: string) => {
  const m = contextOf(log).find((x) => x.messageId === id);
  return m ? JSON.stringify(m.parts) : undefined;
};
const original = (log: SessionLog, id: string) => {
  const m = log.records.find((r) => r.type === 'message' && r.id === id);
  return m?.type === 'message' ? JSON.stringify(m.parts) : undefined;
};

/** Appends the record of a successful compaction; fails the test otherwise. */
function compacted(log: SessionLog, o: CompactOptions): SessionLog {
  const r = compact(log, o);
  assert.equal(r.status, 'compacted', r.report.reason);
  if (r.status !== 'compacted') throw new Error('unreachable');
  return withRecords(log, r.record);
}

// 6 turns of coding (36 messages, ≈ 6,700 estimated tokens): turn 1's answer `a1c` is what the person pins.
const base = codingSession(6);

test('pin records parse; the newest record of a message wins (an unpin reverts a pin)', () => {
  assert.ok(BodyRecordSchema.safeParse(pin('a1c')).success);
  assert.equal(BodyRecordSchema.safeParse({ ...pin('a1c'), messageId: '' }).success, false, 'a pin names a message');
  const log = withRecords(base, pin('a1c'), pin('u2'), pin('a1c', false));
  assert.deepEqual([...pinnedIdsAmong(log.records, log.records.filter((r) => r.type === 'message'))], ['u2']);
  assert.deepEqual(pinsOf(log).map((p) => p.messageId), ['u2']);
  assert.deepEqual([...keptPinIds(withRecords(log, pin('nope')))], ['u2'], 'a pin of an unknown message is ignored');
});

test('pinning a tool call keeps its result, and pinning a result keeps its call', () => {
  const messages = base.records.filter((r) => r.type === 'message');
  assert.deepEqual([...withToolPairs(messages, new Set(['a1a']))].sort(), ['a1a', 't1a']);
  assert.deepEqual([...withToolPairs(messages, new Set(['t3b']))].sort(), ['a3b', 't3b']);
});

test('a pinned message survives mask, summary and truncation verbatim, in every strategy', () => {
  const log = withRecords(base, pin('a1c'), pin('t1a'));
  for (const strategy of ['auto', 'mask', 'extractive', 'truncate'] as const) {
    const after = compacted(log, options(600, { strategy, keepTailTurns: 1, maskAfterTurns: 1 }));
    for (const id of ['a1c', 't1a', 'a1a']) assert.equal(textIn(after, id), original(log, id), `${strategy}: ${id} verbatim`);
    const record = after.records.at(-1);
    assert.ok(record?.type === 'compaction' && !record.covered.includes('a1c') && !record.replaced.some((r) => r.messageId === 't1a'), strategy);
  }
});

test('a pinned message survives two compactions, and the summary sits before it', () => {
  let log = withRecords(base, pin('a2c'));
  log = compacted(log, options(2_500));
  log = compacted(log, options(1_200));
  const context = contextOf(log);
  assert.equal(textIn(log, 'a2c'), original(log, 'a2c'));
  const summaryAt = context.findIndex((m) => m.kind === 'summary');
  assert.ok(summaryAt >= 0 && summaryAt < context.findIndex((m) => m.messageId === 'a2c'), 'the summary of the turns around it comes first');
  assert.equal(context.filter((m) => m.messageId === 'a2c').length, 1, 'once, not duplicated');
});

test('a pin after a compaction brings the covered message back after the summary; an unpin takes effect at the next compaction', () => {
  let log = compacted(base, options(2_500));
  assert.equal(textIn(log, 'a1c'), undefined, 'covered by the summary');
  const beforePin = contextTokens(contextOf(log));
  log = withRecords(log, pin('a1c'));
  const context = contextOf(log);
  const at = context.findIndex((m) => m.messageId === 'a1c');
  assert.equal(context[at - 1]?.kind, 'summary', 'right after the summary');
  assert.equal(contextTokens(context), beforePin + (base.records.find((r) => r.type === 'message' && r.id === 'a1c') as { tokens: number }).tokens);
  log = compacted(log, options(1_500));
  assert.equal(textIn(log, 'a1c'), original(log, 'a1c'), 'the next compaction keeps it');
  const record = log.records.at(-1);
  assert.ok(record?.type === 'compaction' && !record.covered.includes('a1c'), 'and uncovers it in its record');
  log = withRecords(log, pin('a1c', false));
  assert.equal(textIn(log, 'a1c'), original(log, 'a1c'), 'an unpin alone drops nothing');
  log = compacted(log, options(900));
  assert.equal(textIn(log, 'a1c'), undefined, 'the compaction after the unpin may fold it away');
});

test('reverting a compaction keeps the pins; the pin record is still in the log', () => {
  const pinned = withRecords(base, pin('a1c'));
  const after = compacted(pinned, options(600));
  const id = (after.records.at(-1) as { id: string }).id;
  const back = withRecords(after, revert(id));
  assert.deepEqual(contextOf(back).map((m) => m.messageId), contextOf(pinned).map((m) => m.messageId));
  assert.deepEqual([...keptPinIds(back)], ['a1c']);
});

test('pins that exceed the target are kept and the report says so, instead of dropping them', () => {
  // Pin every tool result of turns 1-3 (≈ 1,500 tokens) and ask for 400.
  const ids = ['t1a', 't1b', 't2a', 't2b', 't3a', 't3b'];
  const log = withRecords(base, ...ids.map((id) => pin(id)));
  const r = compact(log, options(400));
  assert.equal(r.status, 'compacted', r.report.reason);
  if (r.status !== 'compacted') return;
  for (const id of ids) assert.ok(r.context.some((m) => m.messageId === id && JSON.stringify(m.parts) === original(log, id)), `${id} kept`);
  assert.equal(r.report.withinTarget, false);
  assert.equal(r.report.pins?.messages, 12, 'the six results and their six calls');
  assert.ok(r.report.pins!.tokens > 400);
  assert.match(r.report.reason ?? '', /the 12 pinned messages alone \(\d+ tokens\) exceed the target of 400 tokens; they were kept verbatim/);
  const strict = compact(log, options(400, { requireTarget: true }));
  assert.equal(strict.status, 'over_target', 'with requireTarget the session stays unchanged');
  assert.match(strict.report.reason ?? '', /pinned/);
});

test('the pin note appears only when the pins are why the result is over the target', () => {
  const m = (tokens: number, pinned = false) => ({ kind: 'message', tokens, ...(pinned ? { pinned } : {}) });
  const system = { kind: 'system', tokens: 100 };
  assert.equal(pinBudget([system, m(300, true), m(200)], 1_000).note, undefined, 'within the target');
  assert.equal(pinBudget([system, m(50, true), m(2_000)], 1_000).note, undefined, 'the tail is the cause, not the pin');
  assert.match(pinBudget([system, m(300, true), m(700)], 1_000).note ?? '', /^the pinned message \(300 tokens\) was kept verbatim and keeps the result over the target of 1000 tokens/);
  assert.match(pinBudget([system, m(600, true), m(400, true)], 500).note ?? '', /^the 2 pinned messages alone \(1000 tokens\) exceed the target of 500 tokens; they were kept/);
});

test('pins within the target are reported without a warning', () => {
  const r = compact(withRecords(base, pin('u1')), options(900));
  assert.equal(r.status, 'compacted');
  assert.deepEqual({ ...r.report.pins, tokens: 0 }, { messages: 1, tokens: 0 });
  assert.equal(r.report.pins?.note, undefined);
});

test('when every message left to summarize is pinned, nothing is compacted and the reason says why', () => {
  const log = codingSession(3, 40);
  const all = withRecords(log, ...log.records.filter((r) => r.type === 'message').map((m) => pin(m.id)));
  const r = compact(all, options(50, { strategy: 'extractive', keepTailTurns: 1 }));
  assert.equal(r.status, 'nothing_to_compact');
  assert.match(r.report.reason ?? '', /pinned/);
});

test('pins count as their own usage category', () => {
  const log = withRecords(base, pin('a1c'));
  const tokens = (base.records.find((r) => r.type === 'message' && r.id === 'a1c') as { tokens: number }).tokens;
  const budget = budgetFor({ maxInputTokens: 128_000 }, { warnPercent: 70, autoCompactPercent: 85, targetPercent: 40 });
  const withPin = usageOf(contextOf(log), budget);
  const without = usageOf(contextOf(base), budget);
  assert.equal(withPin.categories.pinned, tokens);
  assert.equal(without.categories.pinned, 0);
  assert.equal(withPin.categories.assistant, without.categories.assistant - tokens);
  assert.equal(withPin.used, without.used);
});

test('/pin "passage" finds the newest message containing it; /pin alone the last reply', () => {
  assert.equal(findMessageByQuote(base, 'FIXED   mod3.'), base.records.find((r) => r.type === 'message' && r.id === 'a3c'));
  assert.equal(findMessageByQuote(base, 'no such passage anywhere'), undefined);
  assert.equal(findMessageByQuote(base, '   '), undefined);
  assert.equal(lastReply(base)?.id, 'a6c');
});
