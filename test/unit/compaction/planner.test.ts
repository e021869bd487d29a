import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf, contextTokens } from '../../../src/compaction/context';
import { compact } from '../../../src/compaction/planner';
import type { SessionLog } from '../../../src/compaction/records';
import type { CompactOptions, CompactResult } from '../../../src/compaction/types';
import { codingSession, estimate, fakeClock, revert, session, user, assistant } from './fixtures';

const opts = (o: Partial<CompactOptions>): CompactOptions => ({ source: 'manual', strategy: 'auto', targetTokens: 1_000, counter: estimate, clock: fakeClock(), ...o });
const compacted = (r: CompactResult) => {
  assert.equal(r.status, 'compacted', r.report.reason);
  if (r.status !== 'compacted') throw new Error('unreachable');
  return r;
};
const apply = (log: SessionLog, r: CompactResult): SessionLog => ({ ...log, records: [...log.records, compacted(r).record] });

test('auto reaches a loose target with masking alone', () => {
  const log = codingSession(6, 2_000); // 36 messages, ≈ 6,400 tokens
  const before = contextTokens(contextOf(log));
  const r = compacted(compact(log, opts({ targetTokens: Math.floor(before * 0.7), maskAfterTurns: 2 })));
  assert.deepEqual(r.report.tiers.map((t) => t.tier), ['mask']);
  assert.equal(r.record.summary, '');
  assert.equal(r.record.covered.length, 0);
  assert.ok(r.report.after.tokens <= r.report.targetTokens!);
  assert.equal(r.report.withinTarget, true);
  assert.deepEqual(contextOf(apply(log, r)), r.context, 'the returned context is the fold of log + record');
});

test('auto adds an extractive summary when masking is not enough, keeping the tail verbatim', () => {
  const log = codingSession(6, 2_000);
  const r = compacted(compact(log, opts({ targetTokens: 2_000, keepTailTurns: 1 })));
  assert.deepEqual(r.report.tiers.map((t) => t.tier), ['mask', 'summarize']);
  assert.ok(r.report.after.tokens <= 2_000, `after ${r.report.after.tokens}`);
  const kinds = r.context.map((m) => m.kind);
  assert.deepEqual(kinds.slice(0, 2), ['system', 'summary']);
  // The tail is the end of the last turn (a tool-round cut when the summary needs the room); its request stays quoted.
  const tailStart = r.context[2]?.messageId ?? '';
  assert.ok(tailStart === 'u6' || /^[at]6/.test(tailStart), `the tail starts in the last turn (${tailStart})`);
  assert.ok(r.record.covered.includes('u1'));
  if (r.record.covered.includes('u6')) assert.match(r.record.summary, /Request 6: please fix the bug/);
  assert.equal(r.report.tokensSaved, r.report.before.tokens - r.report.after.tokens);
});

test('auto cuts between tool rounds when the last turn alone is over target, quoting its request in the summary', () => {
  const log = codingSession(3, 8_000); // one turn ≈ 4,000 tokens, over the whole target
  const r = compacted(compact(log, opts({ targetTokens: 1_500, keepTailTurns: 1, maskAfterTurns: 1 })));
  assert.deepEqual(r.report.tiers.map((t) => t.tier), ['mask', 'summarize']);
  assert.equal(r.report.withinTarget, true);
  const tail = r.context.filter((m) => m.kind === 'message');
  assert.ok(tail.length > 0 && tail[0]!.role === 'assistant', 'the tail starts at a tool round inside turn 3');
  assert.ok(r.record.covered.includes('u3'));
  assert.match(r.record.summary, /^- Request 3: please fix the bug in src\/mod3\.ts and do not touch package\.json$/m, 'the cut request is quoted whole');
});

test('requireTarget turns an over-target result into over_target without a record', () => {
  const log = session([user('u1', 'x'.repeat(40_000)), assistant('a1', 'y'.repeat(40_000)), user('u2', 'z'.repeat(40_000))]);
  // Not even the summary's title and the quoted request fit 40 tokens.
  const r = compact(log, opts({ targetTokens: 40, requireTarget: true }));
  assert.equal(r.status, 'over_target');
  assert.ok(!('record' in r));
  assert.match(r.report.reason ?? '', /still over target/);
});

test('a result that does not shrink the context is rejected as inflated', () => {
  const log = session([user('u1', 'hi'), assistant('a1', 'hello'), user('u2', 'bye'), assistant('a2', 'ciao')]);
  const r = compact(log, opts({ strategy: 'extractive', keepTailTurns: 1 }));
  assert.equal(r.status, 'inflated');
  assert.equal(r.report.status, 'inflated');
  assert.ok(r.report.after.tokens >= r.report.before.tokens);
  assert.equal(r.report.tokensSaved, 0);
});

test('tiny sessions and bad requests get named statuses', () => {
  assert.equal(compact(session([user('u1', 'hi')]), opts({})).status, 'nothing_to_compact');
  assert.equal(compact(codingSession(2, 100), opts({ strategy: 'mask' })).status, 'nothing_to_compact');
  assert.equal(compact(codingSession(2), opts({ targetTokens: 0 })).status, 'invalid_request');
  const unknown = compact(codingSession(2), opts({ partial: { upto: 'nope' } }));
  assert.equal(unknown.status, 'invalid_request');
  assert.match(unknown.report.reason ?? '', /nope/);
});

test('partial upto: summarizes the messages before the id and keeps the rest verbatim', () => {
  const log = codingSession(4, 2_000);
  const r = compacted(compact(log, opts({ source: 'partial', strategy: 'extractive', partial: { upto: 'u3' } })));
  assert.deepEqual(r.record.covered, log.records.slice(0, 12).map((m) => m.id));
  assert.deepEqual(r.context.map((m) => m.messageId ?? m.kind).slice(0, 3), ['system', 'summary', 'u3']);
});

test('partial upto snaps forward so a tool call is not separated from its result', () => {
  const log = codingSession(2, 2_000);
  const r = compacted(compact(log, opts({ source: 'partial', strategy: 'extractive', partial: { upto: 't1a' } })));
  assert.ok(r.record.covered.includes('a1a') && r.record.covered.includes('t1a'));
  assert.ok(!r.record.covered.includes('a1b'));
});

test('partial from: earlier messages verbatim, summary where the covered part begins', () => {
  const log = codingSession(4, 2_000);
  const r = compacted(compact(log, opts({ source: 'partial', strategy: 'extractive', partial: { from: 'u3' } })));
  assert.deepEqual(r.record.covered, log.records.slice(12).map((m) => m.id));
  const ids = r.context.map((m) => m.messageId ?? m.kind);
  assert.deepEqual(ids.slice(-2), ['a2c', 'summary']);
  assert.match(r.record.summary, /Request 3/);
  assert.doesNotMatch(r.record.summary, /Request 1/);
});

test('two compactions: covered is cumulative and the second summary updates the first', () => {
  let log = codingSession(4, 2_000);
  // A target whose tail share (60 %) holds whole turns (≈ 1,070 tokens each), so the cuts are at user turns.
  const first = compacted(compact(log, opts({ strategy: 'extractive', keepTailTurns: 2, id: 'c1', targetTokens: 4_000 })));
  log = apply(log, first);
  for (let t = 5; t <= 7; t++) log.records.push(...codingSession(t, 2_000).records.slice((t - 1) * 6));
  const second = compacted(compact(log, opts({ strategy: 'extractive', keepTailTurns: 1, id: 'c2', targetTokens: 4_000 })));
  for (const id of first.record.covered) assert.ok(second.record.covered.includes(id), `${id} stays covered`);
  assert.ok(second.record.covered.includes('u6'));
  assert.equal(second.record.summary.split('# Summary of the earlier conversation').length, 2, 'not nested');
  assert.match(second.record.summary, /Request 1[\s\S]*Request 6/);
  const ctx = contextOf(apply(log, second));
  assert.equal(ctx.filter((m) => m.kind === 'summary').length, 1);
  assert.equal(ctx.find((m) => m.kind === 'message')?.messageId, 'u7');
});

test('revert then compact: the reverted compaction does not leak into the new one', () => {
  let log = codingSession(4, 2_000);
  const first = compacted(compact(log, opts({ strategy: 'extractive', keepTailTurns: 1, id: 'c1' })));
  log = apply(log, first);
  log.records.push(revert('c1'));
  assert.equal(contextOf(log).length, 25, 'the full transcript is back');
  const second = compacted(compact(log, opts({ strategy: 'extractive', keepTailTurns: 3, id: 'c2', targetTokens: 100_000 })));
  assert.ok(!second.record.covered.includes('u2'), 'covered comes only from the new compaction');
  assert.ok(second.record.covered.includes('u1'));
  assert.equal(second.record.before.tokens, contextTokens(contextOf(codingSession(4, 2_000))));
});

test('mask-only after a summary keeps the previous summary and covered', () => {
  let log = codingSession(6, 2_000);
  const first = compacted(compact(log, opts({ strategy: 'extractive', keepTailTurns: 4, id: 'c1', targetTokens: 100_000 })));
  log = apply(log, first);
  const second = compacted(compact(log, opts({ strategy: 'mask', maskAfterTurns: 1, id: 'c2' })));
  assert.equal(second.record.summary, first.record.summary);
  assert.deepEqual(second.record.covered, first.record.covered);
  assert.ok(second.record.replaced.length > 0);
});

test('the report carries duration from the clock, utilisation and the model', () => {
  const log = codingSession(6, 2_000);
  log.header.model = { id: 'gpt-4o' };
  const r = compacted(compact(log, opts({ targetTokens: 2_000, effectiveWindow: 10_000 })));
  assert.ok(r.report.durationMs > 0 && r.report.durationMs % 5 === 0);
  assert.equal(r.report.before.utilisation, r.report.before.tokens / 10_000);
  assert.equal(r.report.after.utilisation, r.report.after.tokens / 10_000);
  assert.equal(r.report.model, 'gpt-4o');
  assert.equal(r.record.model, 'gpt-4o');
  assert.equal(r.record.before.tokens, r.report.before.tokens);
  assert.equal(r.record.after.messages, r.context.filter((m) => m.kind !== 'system').length);
});
