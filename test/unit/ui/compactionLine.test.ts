import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactionLine, revertedLine } from '../../../extension/ui/format';
import type { CompactionReport } from '../../../src/compaction/types';

const report: CompactionReport = {
  status: 'compacted', source: 'manual', strategy: 'auto', tiers: [{ tier: 'summarize', count: 6 }],
  before: { tokens: 7_600, messages: 20 }, after: { tokens: 2_000, messages: 5 }, tokensSaved: 5_600, durationMs: 10,
};

test('the compaction line names kept pins, and the warning when they keep the result over the target', () => {
  assert.doesNotMatch(compactionLine(report), /pinned/);
  assert.match(compactionLine({ ...report, pins: { messages: 2, tokens: 80 } }), /summarize ×6; 2 pinned kept verbatim\)$/);
  const note = 'the 2 pinned messages alone (900 tokens) exceed the target of 800 tokens; they were kept verbatim — unpin some to compact further';
  // (pins.ts pinBudget writes the note; the line only carries it.)
  assert.ok(compactionLine({ ...report, pins: { messages: 2, tokens: 900, note } }).endsWith(`; ${note})`));
});

test('the revert sentence: the short form of the notices, and the chat form with the date and what the context rests on', () => {
  assert.equal(revertedLine('manual', 81_234), 'Reverted the manual compaction; the context is back to 81K tokens.');
  const at = '2025-01-01T00:00:05.000Z';
  const date = new Date(at).toLocaleString();
  assert.equal(revertedLine('auto', 950, { at, earlierApplies: false }), `Reverted the auto compaction of ${date}: the context is back to 950 tokens (the full transcript).`);
  assert.equal(revertedLine('idle', 12_000, { at, earlierApplies: true }), `Reverted the idle compaction of ${date}: the context is back to 12K tokens (an earlier compaction still applies).`);
});
