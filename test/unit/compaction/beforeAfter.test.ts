import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beforeAfterOf } from '../../../src/compaction/export/beforeAfter';
import { compact } from '../../../src/compaction/planner';
import { pinRecord } from '../../../src/compaction/pins';
import type { SessionLog } from '../../../src/compaction/records';
import { codingSession, estimate, fakeClock, revert } from './fixtures';

// 6 turns of coding (≈ 6,700 estimated tokens), turn 2's answer pinned, compacted to 2,500 tokens.
const pinned = { ...codingSession(6), records: [...codingSession(6).records, pinRecord('a2c', true, { id: 'p1', at: '2025-01-01T00:00:01.000Z' })] };
const result = compact(pinned, { source: 'manual', strategy: 'auto', targetTokens: 2_500, counter: estimate, clock: fakeClock(), id: 'c1' });
assert.equal(result.status, 'compacted');
const log: SessionLog = { ...pinned, records: [...pinned.records, (result as { record: SessionLog['records'][number] }).record] };

test('before shows every message; after shows the summary, the pin and the kept tail, with what changed', () => {
  const view = beforeAfterOf(log, 'c1');
  assert.ok(view);
  assert.match(view.before.text, /^# Context before the compaction/);
  assert.match(view.after.text, /^# Context after the compaction/);
  assert.match(view.before.text, /`u1`/, 'the first request, verbatim before');
  assert.doesNotMatch(view.after.text, /`u1`/, 'covered after');
  assert.match(view.after.text, /### Summary ·/);
  assert.match(view.after.text, /### assistant · pinned · \d+ tokens · `a2c`/, 'the pin is there, marked');
  const gone = Number(/Messages summarized or dropped: (\d+)/.exec(view.after.text)?.[1]);
  assert.ok(gone > 0 && gone === (result as { record: { covered: string[] } }).record.covered.length);
  // Anchors point at each message heading, for the Pin lenses.
  const lines = view.after.text.split('\n');
  for (const a of view.after.anchors) assert.match(lines[a.line] ?? '', new RegExp(`\`${a.messageId}\`$`));
  assert.equal(view.before.anchors.length, 36);
});

test('what happened later (a revert) does not change the view of that compaction; an unknown id gives nothing', () => {
  const later = { ...log, records: [...log.records, revert('c1')] };
  assert.equal(beforeAfterOf(later, 'c1')?.after.text, beforeAfterOf(log, 'c1')?.after.text);
  assert.equal(beforeAfterOf(log, 'nope'), undefined);
});
