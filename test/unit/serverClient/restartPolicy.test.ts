// The compaction server's restart policy (extension/serverClient/restartPolicy.ts):
// backoff, the crash window and giving up. Pure, so no VS Code needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRestart, DEFAULT_RESTART_POLICY, mayStartAgain, recentCrashes, type RestartPolicy } from '../../../extension/serverClient/restartPolicy';

const policy: RestartPolicy = { maxRestarts: 3, windowMs: 60_000, baseDelayMs: 100, maxDelayMs: 300 };

describe('decideRestart', () => {
  it('restarts after the first crash with the base delay', () => {
    const d = decideRestart([], 1_000, policy);
    assert.deepEqual(d, { restart: true, delayMs: 100, attempt: 1, crashes: [1_000] });
  });

  it('doubles the delay per recent crash and caps it', () => {
    let crashes: number[] = [];
    const delays: number[] = [];
    for (const now of [1_000, 2_000, 3_000]) {
      const d = decideRestart(crashes, now, policy);
      assert.equal(d.restart, true);
      if (d.restart) delays.push(d.delayMs);
      crashes = d.crashes;
    }
    assert.deepEqual(delays, [100, 200, 300]);
  });

  it('gives up when crashes within the window exceed maxRestarts, and says how many', () => {
    const d = decideRestart([1_000, 2_000, 3_000], 4_000, policy);
    assert.equal(d.restart, false);
    if (!d.restart) {
      assert.match(d.reason, /crashed 4 times in 1 minute/);
      assert.deepEqual(d.crashes, [1_000, 2_000, 3_000, 4_000]);
    }
  });

  it('forgets crashes older than the window', () => {
    const d = decideRestart([1_000, 2_000, 3_000], 1_000 + 60_000 + 1, policy);
    assert.equal(d.restart, true);
    if (d.restart) {
      assert.equal(d.attempt, 3, 'the crash at 1000 aged out; 2000, 3000 and now remain');
      assert.deepEqual(d.crashes, [2_000, 3_000, 61_001]);
    }
  });

  it('uses the default policy: 5 restarts, then stop', () => {
    let crashes: number[] = [];
    const outcomes: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      const d = decideRestart(crashes, 10_000 + i * 1_000);
      outcomes.push(d.restart);
      crashes = d.crashes;
    }
    assert.equal(DEFAULT_RESTART_POLICY.maxRestarts, 5);
    assert.deepEqual(outcomes, [true, true, true, true, true, false]);
  });
});

describe('mayStartAgain', () => {
  it('refuses while the window is full and allows once crashes age out', () => {
    const crashes = [1_000, 2_000, 3_000, 4_000];
    assert.equal(mayStartAgain(crashes, 5_000, policy), false);
    assert.equal(mayStartAgain(crashes, 2_000 + 60_000, policy), true, 'two of four aged out');
  });

  it('ignores crash times in the future (clock went back) for the window', () => {
    assert.deepEqual(recentCrashes([5_000, 1_000], 2_000, policy), [1_000]);
  });
});
