/**
 * Time slicing (src/compaction/timeSlicer.ts) with a fake clock, and the
 * store's append that uses it: a large batch yields to the event loop between
 * slices and is still all-or-nothing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SessionStore, SessionStoreError } from '../../../extension/sessions/sessionStore';
import { createTimeSlicer, mapInSlices, NO_SLICING, pause } from '../../../src/compaction/timeSlicer';
import { userMessage, withTempDir } from './helpers';

/** A clock that advances `stepMs` on every read, and a log of the turns the work yielded. */
function fakeTime(stepMs: number) {
  let t = 0;
  const turns: number[] = [];
  return {
    turns,
    slicer: (budgetMs: number) =>
      createTimeSlicer({
        budgetMs,
        now: () => (t += stepMs),
        turn: async () => {
          turns.push(t);
        },
      }),
  };
}

describe('time slicing', () => {
  it('maps in order and yields once a slice has used its budget', async () => {
    // Each item reads the clock once (due) at 1 ms per read; a 4 ms budget ends a slice every few items.
    const time = fakeTime(1);
    const seen: number[] = [];
    const out = await mapInSlices(
      Array.from({ length: 20 }, (_, i) => i),
      (x) => {
        seen.push(x);
        return x * 2;
      },
      time.slicer(4),
    );
    assert.deepEqual(out, Array.from({ length: 20 }, (_, i) => i * 2));
    assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i));
    assert.ok(time.turns.length >= 4 && time.turns.length <= 10, `${time.turns.length} turns for 20 items`);
  });

  it('never yields without slicing, and a real slicer lets a due timer run between slices', async () => {
    const never = fakeTime(1);
    await mapInSlices([1, 2, 3], (x) => x, NO_SLICING);
    assert.deepEqual(never.turns, []);

    // Busy items of 3 ms each, a 5 ms budget: a timer due meanwhile fires before the work ends.
    let fired = false;
    const timer = setTimeout(() => (fired = true), 1);
    const firedDuring: boolean[] = [];
    await mapInSlices(
      Array.from({ length: 8 }, () => 0),
      () => {
        const end = performance.now() + 3;
        while (performance.now() < end);
        firedDuring.push(fired);
      },
      createTimeSlicer({ budgetMs: 5 }),
    );
    clearTimeout(timer);
    assert.equal(firedDuring[0], false);
    assert.equal(firedDuring.at(-1), true, 'the timer ran between slices');
  });

  it('stops at the first exception, processing nothing after it', async () => {
    const time = fakeTime(1);
    const seen: number[] = [];
    await assert.rejects(
      mapInSlices(
        [0, 1, 2, 3, 4, 5, 6, 7],
        (x) => {
          if (x === 5) throw new Error('bad item 5');
          seen.push(x);
        },
        time.slicer(2),
      ),
      /bad item 5/,
    );
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  });

  it('pause() yields only when due', async () => {
    const time = fakeTime(5);
    const slicer = time.slicer(10); // the slice starts at 5
    await pause(slicer); // 10: 5 ms in, not due
    assert.equal(time.turns.length, 0);
    await pause(slicer); // 15: 10 ms in, due → one turn
    assert.equal(time.turns.length, 1);
  });
});

describe('SessionStore.append in slices', () => {
  it('writes a large batch whole, in order, after yielding between slices', () =>
    withTempDir(async (dir) => {
      const time = fakeTime(1);
      const store = new SessionStore(dir, { slicer: () => time.slicer(3) });
      await store.create({ id: 'big' });
      const records = Array.from({ length: 50 }, (_, i) => userMessage(`m${i}`, `message ${i}`));
      await store.append('big', records);
      assert.ok(time.turns.length >= 10, `yielded ${time.turns.length} times`);
      const { log } = await store.open('big');
      assert.deepEqual(
        log.records.map((r) => r.id),
        records.map((r) => r.id),
      );
    }));

  it('writes nothing when a record after the first slices is invalid', () =>
    withTempDir(async (dir) => {
      const time = fakeTime(1);
      const store = new SessionStore(dir, { slicer: () => time.slicer(3) });
      await store.create({ id: 'big' });
      const before = await readFile(join(dir, 'big.jsonl'), 'utf8');
      const records = Array.from({ length: 30 }, (_, i) => userMessage(`m${i}`, `message ${i}`));
      (records[25] as { tokens: number }).tokens = -1;
      await assert.rejects(store.append('big', records), (err: unknown) => err instanceof SessionStoreError && err.code === 'invalid_record' && /Record 25/.test(err.message));
      assert.ok(time.turns.length > 0, 'the bad record was reached after yielding');
      assert.equal(await readFile(join(dir, 'big.jsonl'), 'utf8'), before);
    }));
});
