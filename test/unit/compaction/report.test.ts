import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport, sessionTotals, totalsBySession } from '../../../src/compaction/report';
import { compactionRecord, revert, session } from './fixtures';

test('buildReport: saved tokens, utilisation, within target, zero tiers dropped', () => {
  const r = buildReport({
    status: 'compacted', source: 'auto', strategy: 'auto',
    tiers: [{ tier: 'mask', count: 3 }, { tier: 'truncate', count: 0 }],
    before: { tokens: 9_000, messages: 40 }, after: { tokens: 3_000, messages: 12 },
    durationMs: 12, effectiveWindow: 10_000, targetTokens: 4_000,
  });
  assert.equal(r.tokensSaved, 6_000);
  assert.equal(r.before.utilisation, 0.9);
  assert.equal(r.after.utilisation, 0.3);
  assert.equal(r.withinTarget, true);
  assert.deepEqual(r.tiers, [{ tier: 'mask', count: 3 }]);
  const noBudget = buildReport({ status: 'inflated', source: 'manual', strategy: 'mask', tiers: [], before: { tokens: 5, messages: 1 }, after: { tokens: 6, messages: 1 }, durationMs: 1 });
  assert.equal(noBudget.before.utilisation, undefined);
  assert.equal(noBudget.tokensSaved, 0);
});

test('totals per session and overall exclude reverted compactions', () => {
  const c = (id: string, source: 'manual' | 'auto', saved: number) =>
    compactionRecord(id, { source, before: { tokens: 1_000 + saved, messages: 10 }, after: { tokens: 1_000, messages: 3 } });
  const a = session([c('c1', 'manual', 500), c('c2', 'auto', 300), revert('c2')]);
  const b = { ...session([c('c3', 'auto', 200)]), header: { ...session([]).header, id: 's2' } };
  assert.deepEqual(sessionTotals(a), { compactions: 1, tokensSaved: 500, bySource: { manual: 1, auto: 0, idle: 0, partial: 0 } });
  const all = totalsBySession([a, b]);
  assert.equal(all.perSession.s2?.tokensSaved, 200);
  assert.deepEqual(all.overall, { compactions: 2, tokensSaved: 700, bySource: { manual: 1, auto: 1, idle: 0, partial: 0 } });
});
