/**
 * When to compact automatically, and when to stop trying. Pure: the caller
 * passes the numbers and the breaker, and applies the decision.
 *
 * The projected context (current context + the next request) is compared with
 * `autoCompactPercent` of the effective window (window − output reserve).
 * After `maxConsecutiveFailures` failed auto-compactions in a row the breaker
 * opens and auto-compaction is `blocked` (never looping) until a success, a
 * manual compaction, or a switch to another session closes it.
 */
import { MAX_CONSECUTIVE_AUTO_FAILURES } from '../../src/compaction/constants';

/** Three tries then stop: the circuit breaker's default (one constant, src/compaction/constants.ts). */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = MAX_CONSECUTIVE_AUTO_FAILURES;

export interface BreakerFailure {
  /** Epoch ms, from the injected clock. */
  at: number;
  reason: string;
}

export interface BreakerStatus {
  open: boolean;
  consecutiveFailures: number;
  /** Why it is open, in a sentence a user can act on (set only when open). */
  reason?: string;
  lastFailure?: BreakerFailure;
}

export interface CircuitBreakerOptions {
  maxConsecutiveFailures?: number;
  now?: () => number;
}

export class CircuitBreaker {
  private readonly max: number;
  private readonly now: () => number;
  private failures = 0;
  private lastFailure: BreakerFailure | undefined;
  private sessionId: string | undefined;

  constructor(options: CircuitBreakerOptions = {}) {
    const max = options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxConsecutiveFailures must be a positive integer, got ${max}`);
    this.max = max;
    this.now = options.now ?? Date.now;
  }

  recordFailure(reason: string): void {
    this.failures++;
    this.lastFailure = { at: this.now(), reason };
  }

  recordSuccess(): void {
    this.reset();
  }

  /** The user compacted by hand: they asked for it, so auto-compaction may try again. */
  recordManualCompaction(): void {
    this.reset();
  }

  /** Failures belong to one session; switching to another starts afresh. Returns true when it reset. */
  sessionChanged(sessionId: string): boolean {
    if (sessionId === this.sessionId) return false;
    this.sessionId = sessionId;
    this.reset();
    return true;
  }

  status(): BreakerStatus {
    const open = this.failures >= this.max;
    return {
      open,
      consecutiveFailures: this.failures,
      ...(open
        ? {
            reason:
              `Automatic compaction is paused after ${this.failures} consecutive failures` +
              `${this.lastFailure ? ` (last: ${this.lastFailure.reason})` : ''}. ` +
              'Run "Compact Conversation" to retry.',
          }
        : {}),
      ...(this.lastFailure ? { lastFailure: this.lastFailure } : {}),
    };
  }

  private reset(): void {
    this.failures = 0;
    this.lastFailure = undefined;
  }
}

export interface AutoCompactionInput {
  /** Tokens of the context as it would be sent now. */
  contextTokens: number;
  /** Tokens the next request adds (the new user message and attachments). */
  nextRequestTokens: number;
  /** Context window minus the output reserve. */
  effectiveWindow: number;
  /** Threshold, in percent of the effective window (validated settings: 1–100). */
  autoCompactPercent: number;
  enabled: boolean;
  breaker: Pick<CircuitBreaker, 'status'>;
}

export type AutoCompactionAction = 'compact' | 'skip' | 'blocked';

export interface AutoCompactionDecision {
  action: AutoCompactionAction;
  reason: string;
  projectedTokens: number;
  thresholdTokens: number;
}

export function decideAutoCompaction(input: AutoCompactionInput): AutoCompactionDecision {
  const projectedTokens = input.contextTokens + input.nextRequestTokens;
  const thresholdTokens = Math.floor((input.effectiveWindow * input.autoCompactPercent) / 100);
  const result = (action: AutoCompactionAction, reason: string): AutoCompactionDecision => ({
    action,
    reason,
    projectedTokens,
    thresholdTokens,
  });
  if (!input.enabled) return result('skip', 'automatic compaction is turned off');
  if (![input.contextTokens, input.nextRequestTokens].every((n) => Number.isFinite(n) && n >= 0)) {
    return result('skip', 'token counts are unknown');
  }
  if (!Number.isFinite(input.effectiveWindow) || input.effectiveWindow <= 0) {
    return result('skip', "the model's context window is unknown");
  }
  if (!Number.isFinite(input.autoCompactPercent) || input.autoCompactPercent <= 0 || input.autoCompactPercent > 100) {
    return result('skip', `the auto-compact threshold ${input.autoCompactPercent}% is not between 1 and 100`);
  }
  const percent = Math.round((projectedTokens / input.effectiveWindow) * 100);
  if (projectedTokens < thresholdTokens) {
    return result('skip', `${percent}% of the effective window is below the ${input.autoCompactPercent}% threshold`);
  }
  const breaker = input.breaker.status();
  if (breaker.open) return result('blocked', breaker.reason ?? 'automatic compaction is paused after repeated failures');
  return result('compact', `${percent}% of the effective window reaches the ${input.autoCompactPercent}% threshold`);
}
