import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, decideAutoCompaction, type AutoCompactionInput } from '../../../extension/sessions/autoCompactionDecision';

function input(overrides: Partial<AutoCompactionInput> = {}): AutoCompactionInput {
  return {
    contextTokens: 50_000,
    nextRequestTokens: 1_000,
    effectiveWindow: 100_000,
    autoCompactPercent: 85,
    enabled: true,
    breaker: new CircuitBreaker(),
    ...overrides,
  };
}

describe('decideAutoCompaction', () => {
  it('skips below the threshold', () => {
    const d = decideAutoCompaction(input());
    assert.equal(d.action, 'skip');
    assert.equal(d.projectedTokens, 51_000);
    assert.equal(d.thresholdTokens, 85_000);
    assert.match(d.reason, /51% .* below the 85% threshold/);
  });

  it('compacts when the next request would reach the threshold', () => {
    assert.equal(decideAutoCompaction(input({ contextTokens: 84_000, nextRequestTokens: 999 })).action, 'skip');
    const d = decideAutoCompaction(input({ contextTokens: 84_000, nextRequestTokens: 1_000 }));
    assert.equal(d.action, 'compact');
    assert.match(d.reason, /reaches the 85% threshold/);
  });

  it('skips when turned off, even far over the threshold', () => {
    const d = decideAutoCompaction(input({ contextTokens: 99_000, enabled: false }));
    assert.deepEqual([d.action, d.reason], ['skip', 'automatic compaction is turned off']);
  });

  it('skips with a reason when the window or the threshold is unusable', () => {
    assert.match(decideAutoCompaction(input({ effectiveWindow: 0, contextTokens: 99_000 })).reason, /window is unknown/);
    assert.match(decideAutoCompaction(input({ autoCompactPercent: 150, contextTokens: 99_000 })).reason, /not between 1 and 100/);
    assert.match(decideAutoCompaction(input({ contextTokens: Number.NaN })).reason, /token counts are unknown/);
  });

  it('is blocked, with the breaker reason, when the breaker is open', () => {
    const breaker = new CircuitBreaker();
    for (let i = 0; i < 3; i++) breaker.recordFailure('summary did not shrink the context');
    const d = decideAutoCompaction(input({ contextTokens: 90_000, breaker }));
    assert.equal(d.action, 'blocked');
    assert.match(d.reason, /paused after 3 consecutive failures \(last: summary did not shrink the context\)/);
    // Below the threshold nothing is blocked: there is nothing to do.
    assert.equal(decideAutoCompaction(input({ breaker })).action, 'skip');
  });
});

describe('CircuitBreaker', () => {
  it('opens after 3 consecutive failures, not before', () => {
    let now = 1_000;
    const breaker = new CircuitBreaker({ now: () => now });
    breaker.recordFailure('a');
    breaker.recordFailure('b');
    assert.equal(breaker.status().open, false);
    assert.equal(breaker.status().reason, undefined);
    now = 2_000;
    breaker.recordFailure('model timed out');
    const s = breaker.status();
    assert.equal(s.open, true);
    assert.equal(s.consecutiveFailures, 3);
    assert.deepEqual(s.lastFailure, { at: 2_000, reason: 'model timed out' });
    assert.match(s.reason ?? '', /Compact Conversation/);
  });

  it('resets on success', () => {
    const breaker = new CircuitBreaker();
    breaker.recordFailure('a');
    breaker.recordFailure('b');
    breaker.recordSuccess();
    breaker.recordFailure('c');
    breaker.recordFailure('d');
    assert.equal(breaker.status().open, false);
    breaker.recordFailure('e');
    assert.equal(breaker.status().open, true);
    breaker.recordSuccess();
    assert.deepEqual(breaker.status(), { open: false, consecutiveFailures: 0 });
  });

  it('resets on a manual compaction', () => {
    const breaker = new CircuitBreaker();
    for (let i = 0; i < 3; i++) breaker.recordFailure('x');
    breaker.recordManualCompaction();
    assert.equal(breaker.status().open, false);
    assert.equal(breaker.status().consecutiveFailures, 0);
  });

  it('resets when the session changes, not when the same session is reported again', () => {
    const breaker = new CircuitBreaker();
    assert.equal(breaker.sessionChanged('s1'), true);
    for (let i = 0; i < 3; i++) breaker.recordFailure('x');
    assert.equal(breaker.sessionChanged('s1'), false);
    assert.equal(breaker.status().open, true);
    assert.equal(breaker.sessionChanged('s2'), true);
    assert.equal(breaker.status().open, false);
  });

  it('honours a custom failure limit and rejects a nonsensical one', () => {
    const breaker = new CircuitBreaker({ maxConsecutiveFailures: 1 });
    breaker.recordFailure('x');
    assert.equal(breaker.status().open, true);
    assert.throws(() => new CircuitBreaker({ maxConsecutiveFailures: 0 }), RangeError);
  });
});
