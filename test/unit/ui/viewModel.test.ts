// What the Context webview is told: meter segments, chart points with the
// compaction drops, history entries and totals (no VS Code).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetFor, DEFAULT_LEVELS } from '../../../src/compaction/budget';
import { contextOf } from '../../../src/compaction/context';
import type { SessionLog } from '../../../src/compaction/records';
import { totalsBySession } from '../../../src/compaction/report';
import { usageOf } from '../../../src/compaction/usage';
import { gaugeHeadline } from '../../../extension/ui/gaugeModel';
import { buildViewState, chartPointsOf, historyOf, idleOf, meterOf } from '../../../extension/webview/viewModel';
import { ContextViewStateSchema } from '../../../webview/protocol';
import { assistant, compactionRecord, revert, session, user } from '../compaction/fixtures';

/** A 10,000-token window (reserve 4,000 → effective 6,000). */
const budget = budgetFor({ maxInputTokens: 10_000, maxOutputTokens: 4_000 });
const usageOfLog = (log: SessionLog) => usageOf(contextOf(log), budget);

/** Four messages of 100 tokens each, then a manual compaction covering the first two (summary 30). */
function compactedLog(): SessionLog {
  const m = (r: ReturnType<typeof user>) => ({ ...r, tokens: 100 });
  const c = compactionRecord('c1', {
    source: 'manual', covered: ['u1', 'a1'], summary: 'SUMMARY <b>not html</b>', summaryTokens: 30,
    before: { tokens: 400, messages: 4 }, after: { tokens: 230, messages: 3 }, durationMs: 12,
    tiers: [{ tier: 'summarize', count: 1 }, { tier: 'mask', count: 0 }], model: 'test-model',
    attachments: [{ path: 'src/a.ts', text: 'x', tokens: 0 }],
  });
  return session([m(user('u1', 'one')), m(assistant('a1', 'two')), m(user('u2', 'three')), m(assistant('a2', 'four')), c, m(user('u3', 'five'))]);
}

test('meter: segments sum to the whole bar and to the window; headline is the gauge text', () => {
  const log = compactedLog();
  const usage = usageOfLog(log);
  const meter = meterOf(usage, DEFAULT_LEVELS);
  const sumPercent = meter.segments.reduce((s, x) => s + x.percentOfBar, 0);
  assert.ok(Math.abs(sumPercent - 100) < 1e-9, `segments sum to 100%, got ${sumPercent}`);
  assert.equal(meter.segments.reduce((s, x) => s + x.tokens, 0), usage.window);
  assert.equal(meter.headline, gaugeHeadline(usage));
  assert.deepEqual(meter.segments.map((s) => s.category), ['summary', 'user', 'assistant', 'free', 'reservedOutput']);
  assert.equal(meter.used, 330);
  // warn at 70% of 6,000 = 4,200 tokens of a 10,000 bar.
  assert.equal(meter.warnAt, 42);
  assert.equal(meter.autoCompactAt, 51);
});

test('meter: over the window the bar scales to used + reserve', () => {
  const big = session([{ ...user('u1', 'x'), tokens: 9_000 }]);
  const usage = usageOfLog(big);
  const meter = meterOf(usage, DEFAULT_LEVELS);
  assert.equal(usage.level, 'over');
  const sum = meter.segments.reduce((s, x) => s + x.percentOfBar, 0);
  assert.ok(Math.abs(sum - 100) < 1e-9);
  assert.ok(meter.warnAt < 42, 'levels move left as the bar grows');
});

test('chart: one point per message, a compaction is a drop from before to after, a revert restores', () => {
  const log = compactedLog();
  const points = chartPointsOf(log);
  assert.deepEqual(points.map((p) => [p.kind, p.tokens]), [
    ['message', 100], ['message', 200], ['message', 300], ['message', 400],
    ['compaction', 230], ['message', 330],
  ]);
  assert.equal(points[4]?.before, 400);
  assert.equal(points[4]?.source, 'manual');
  assert.equal(points[4]?.compactionId, 'c1');
  assert.equal(points.at(-1)?.tokens, usageOfLog(log).used, 'the last point is the meter\'s used tokens');

  log.records.push(revert('c1'));
  const after = chartPointsOf(log);
  assert.deepEqual([after.at(-1)?.kind, after.at(-1)?.before, after.at(-1)?.tokens], ['revert', 330, 500]);
});

test('chart: sources stay distinguishable', () => {
  const log = compactedLog();
  log.records.push(compactionRecord('c2', { source: 'auto', covered: ['u1', 'a1', 'u2', 'a2'], summary: 's', summaryTokens: 10 }));
  const sources = chartPointsOf(log).filter((p) => p.kind === 'compaction').map((p) => p.source);
  assert.deepEqual(sources, ['manual', 'auto']);
});

test('history: newest first, saved %, files restored, only the active compaction can be reverted', () => {
  const log = compactedLog();
  log.records.push(compactionRecord('c2', { source: 'auto', covered: ['u1', 'a1', 'u2', 'a2'], summary: 's', summaryTokens: 10, before: { tokens: 330, messages: 3 }, after: { tokens: 110, messages: 2 } }));
  let history = historyOf(log);
  assert.deepEqual(history.map((e) => [e.id, e.canRevert, e.reverted]), [['c2', true, false], ['c1', false, false]]);
  const c1 = history[1]!;
  assert.equal(c1.savedPercent, 43); // 400 → 230
  assert.deepEqual(c1.filesRestored, ['src/a.ts']);
  assert.deepEqual(c1.tiers, [{ tier: 'summarize', count: 1 }], 'tiers that did nothing are left out');
  assert.equal(c1.summary, 'SUMMARY <b>not html</b>', 'the summary is passed as text, untouched');
  assert.equal(c1.model, 'test-model');

  log.records.push(revert('c2'));
  history = historyOf(log);
  assert.deepEqual(history.map((e) => [e.id, e.canRevert, e.reverted]), [['c2', false, true], ['c1', true, false]]);
});

test('view state: totals of the session and overall, validated by the protocol schema', () => {
  const log = compactedLog();
  const other = session([user('x1', 'hi')]);
  other.header.id = 's2';
  other.records.push(compactionRecord('k1', { source: 'auto', before: { tokens: 1000, messages: 4 }, after: { tokens: 400, messages: 2 } }));
  const overall = totalsBySession([log, other]).overall;
  const state = buildViewState({
    active: { log, usage: usageOfLog(log), title: 'My session' },
    levels: DEFAULT_LEVELS,
    sessions: [{ id: 's1', title: 'My session', updatedAt: '2025-01-01T00:00:00.000Z', tokens: 330 }, { id: 's2', title: 'Other', updatedAt: '2025-01-01T00:00:00.000Z' }],
    overall,
    engine: { state: 'running' },
    busy: false,
  });
  assert.ok(ContextViewStateSchema.safeParse(state).success, 'the host only sends what the webview accepts');
  assert.deepEqual(state.session?.totals, { compactions: 1, tokensSaved: 170, bySource: { manual: 1, auto: 0, idle: 0, partial: 0 } });
  assert.deepEqual(state.overall, { compactions: 2, tokensSaved: 770, bySource: { manual: 1, auto: 1, idle: 0, partial: 0 } });
  assert.equal(state.sessions.length, 2);

  const none = buildViewState({ levels: DEFAULT_LEVELS, sessions: [], engine: { state: 'unavailable', reason: 'down' }, busy: false });
  assert.equal(none.session, undefined);
  assert.ok(ContextViewStateSchema.safeParse(none).success);
});

test('idle: the view says when the applied compaction was an idle one, and when idle compaction stopped', () => {
  const manual = compactedLog();
  assert.deepEqual(idleOf(manual, undefined), {});
  const idle = session([user('u1', 'one'), assistant('a1', 'two'), compactionRecord('c1', { source: 'idle', covered: ['u1'], at: '2025-01-01T01:00:00.000Z' })]);
  assert.deepEqual(idleOf(idle, undefined), { idle: { compactedAt: '2025-01-01T01:00:00.000Z' } });
  assert.deepEqual(idleOf(manual, 'stopped'), { idle: { paused: 'stopped' } });
  const state = buildViewState({
    active: { log: idle, usage: usageOfLog(idle), title: 't', idlePaused: 'Idle compaction stopped.' },
    levels: DEFAULT_LEVELS,
    sessions: [],
    engine: { state: 'running' },
    busy: false,
  });
  assert.deepEqual(state.session?.idle, { compactedAt: '2025-01-01T01:00:00.000Z', paused: 'Idle compaction stopped.' });
  assert.equal(state.session?.history[0]?.source, 'idle');
  assert.ok(ContextViewStateSchema.safeParse(state).success, 'valid for the webview');
});

test('pins: the view lists each pinned message with its cost, the meter has a pinned segment, the state validates', () => {
  const log = compactedLog();
  // u1 was covered by c1; pinning it brings it back after the summary. a2 is pinned, then unpinned.
  const pin = (messageId: string, pinned: boolean, id: string) => ({ type: 'pin' as const, id, at: '2025-01-01T00:00:05.000Z', messageId, pinned });
  log.records.push(pin('u1', true, 'p1'), pin('a2', true, 'p2'), pin('a2', false, 'p3'));
  const usage = usageOfLog(log);
  const state = buildViewState({ active: { log, usage, title: 'Pinned' }, levels: DEFAULT_LEVELS, sessions: [], engine: { state: 'running' }, busy: false });
  assert.ok(ContextViewStateSchema.safeParse(state).success);
  assert.deepEqual(state.session?.pins, [{ messageId: 'u1', role: 'user', tokens: 100, preview: 'one' }]);
  assert.equal(state.session?.meter.segments.find((s) => s.category === 'pinned')?.tokens, 100);
  assert.equal(usage.categories.pinned, 100);
  // A pin moves the context size but adds no chart point of its own.
  assert.equal(chartPointsOf(log).length, chartPointsOf(compactedLog()).length);
  assert.equal(buildViewState({ active: { log: compactedLog(), usage: usageOfLog(compactedLog()), title: 'x' }, levels: DEFAULT_LEVELS, sessions: [], engine: { state: 'running' }, busy: false }).session?.pins, undefined, 'no pins: no list');
});
