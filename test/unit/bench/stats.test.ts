import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interleave, median, pairedRatio, ratio, round, timePerCall } from '../../../bench/speed/stats';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    assert.equal(median([9, 1, 5]), 5);
    assert.equal(median([3, 100, 2, 1, 50, 4, 5]), 4);
  });

  it('averages the two middle values of an even count', () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('ignores a single outlier that would move the mean', () => {
    assert.equal(median([10, 11, 10, 1000, 12]), 11);
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    assert.deepEqual(xs, [3, 1, 2]);
  });

  it('refuses an empty list', () => {
    assert.throws(() => median([]), RangeError);
  });
});

describe('ratio', () => {
  it('divides ours by the baseline', () => {
    assert.equal(ratio(30, 10), 3);
    assert.equal(ratio(5, 10), 0.5);
  });

  it('is NaN for a zero, negative or non-finite baseline rather than Infinity', () => {
    assert.ok(Number.isNaN(ratio(1, 0)));
    assert.ok(Number.isNaN(ratio(1, -2)));
    assert.ok(Number.isNaN(ratio(1, Number.POSITIVE_INFINITY)));
    assert.ok(Number.isNaN(ratio(Number.NaN, 1)));
  });
});

describe('pairedRatio', () => {
  it('is the median of per-run ratios, not the ratio of medians', () => {
    // Runs 2 and 3 are slow for both sides (noise): paired ratios stay at 2.
    const ours = [2, 20, 40];
    const base = [1, 10, 20];
    assert.equal(pairedRatio(ours, base), 2);
  });

  it('refuses runs of different lengths', () => {
    assert.throws(() => pairedRatio([1, 2], [1]), RangeError);
  });
});

describe('round', () => {
  it('keeps significant digits', () => {
    assert.equal(round(1.23456), 1.23);
    assert.equal(round(123456, 2), 120000);
    assert.equal(round(0.000123456, 2), 0.00012);
  });

  it('leaves zero and NaN alone', () => {
    assert.equal(round(0), 0);
    assert.ok(Number.isNaN(round(Number.NaN)));
  });
});

describe('timePerCall', () => {
  it('repeats until the minimum count and time are reached and returns a per-call mean', () => {
    let calls = 0;
    const ms = timePerCall(() => calls++, 5, 10);
    assert.ok(calls >= 10, `called ${calls} times`);
    assert.ok(ms > 0 && ms <= 5, `per call ${ms} ms`);
  });
});

describe('interleave', () => {
  it('records `runs` measurements per contender, warm-up excluded, rotating the order', () => {
    const order: string[] = [];
    const result = interleave(
      [
        { name: 'a', measure: () => (order.push('a'), 1) },
        { name: 'b', measure: () => (order.push('b'), 2) },
      ],
      3,
      1,
    );
    assert.deepEqual(result.get('a'), [1, 1, 1]);
    assert.deepEqual(result.get('b'), [2, 2, 2]);
    assert.equal(order.length, 8);
    // Not always the same one first.
    const firsts = new Set([order[0], order[2], order[4], order[6]]);
    assert.equal(firsts.size, 2);
  });
});
