import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactionLine } from '../../../extension/ui/format';
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
