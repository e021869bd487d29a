// The queue condenseRequest chooses lines with: highest score first, and among
// equal scores the entry queued first (an entry queued again goes after them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RankedQueue } from '../../../src/compaction/tiers/rankedQueue';

test('RankedQueue pops by score, then by the order entries were queued', () => {
  const q = new RankedQueue();
  for (const [i, score] of [[0, 1], [1, 3], [2, 2], [3, 3], [4, 0.5], [5, 2]] as const) q.push(i, score);
  assert.equal(q.peekScore(), 3);
  const first = q.pop();
  assert.deepEqual(first, { i: 1, score: 3 });
  q.push(1, 2); // queued again with a lower score: after 2 and 5, which had it first
  const order: number[] = [];
  for (let e = q.pop(); e; e = q.pop()) order.push(e.i);
  assert.deepEqual(order, [3, 2, 5, 1, 0, 4]);
  assert.equal(q.peekScore(), undefined);
  assert.equal(q.pop(), undefined);
});

test('RankedQueue keeps its order over many entries (against a sort)', () => {
  const q = new RankedQueue();
  const scores = Array.from({ length: 2_000 }, (_, i) => (i * 7919) % 97);
  scores.forEach((s, i) => q.push(i, s));
  const expected = scores.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s || a.i - b.i).map((e) => e.i);
  const got: number[] = [];
  for (let e = q.pop(); e; e = q.pop()) got.push(e.i);
  assert.deepEqual(got, expected);
});
