/**
 * Idle compaction: a session that sits idle past the model's prompt-cache
 * lifetime pays full price for its whole context on the next request, so it is
 * compacted while nobody waits. No vscode import: the clock, the timers and the
 * session host are injected, so the decisions run in unit tests on a fake clock.
 *
 * Invariants:
 * - One timer at a time, set to the next due time (never a polling loop);
 *   unref'd by the system clock, cleared on dispose.
 * - A session with a request in flight is never touched; an idle compaction
 *   that is running is cancelled when a request or another compaction of the
 *   same session starts (it yields; that is not a failure).
 * - A session compacted (by anyone) since its last message is not eligible
 *   until new activity, so idle compaction never repeats on an unchanged session.
 * - After `IDLE_MAX_CONSECUTIVE_FAILURES` failures in a row it stops for that
 *   session (a breaker of its own) until a compaction of that session succeeds.
 * - At most one idle compaction runs at a time, across all sessions.
 */
import type { SessionLog } from '../../src/compaction/records';
import { CircuitBreaker } from './autoCompactionDecision';
import { errorMessage } from '../../src/compaction/errors';

/** Two tries then stop: an idle session is not worth more. */
export const IDLE_MAX_CONSECUTIVE_FAILURES = 2;
/** While a session is busy or being compacted by someone else, look again after this long (events usually come first). */
export const IDLE_BUSY_RECHECK_MS = 30_000;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2_147_483_647;

export interface IdleSettings {
  /** 0 = off. */
  afterMinutes: number;
  minTokens: number;
}

export interface IdleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real time; timers are unref'd so they never keep the extension host alive. */
export const systemClock: IdleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What the decision needs to know about a session, from its log. */
export interface IdleFacts {
  /** Epoch ms of the newest message (or rewind); undefined for an empty session. */
  lastActivityAt: number | undefined;
  /** Epoch ms of the newest compaction record (reverted or not). */
  lastCompactionAt: number | undefined;
  contextTokens: number;
}

/** Facts from a log: a scan from its end (a log without compactions is scanned whole, so only the times still needed are parsed). */
export function idleFactsOf(log: SessionLog, contextTokens: number): IdleFacts {
  let lastActivityAt: number | undefined;
  let lastCompactionAt: number | undefined;
  for (let i = log.records.length - 1; i >= 0 && (lastActivityAt === undefined || lastCompactionAt === undefined); i--) {
    const r = log.records[i]!;
    const activity = (r.type === 'message' || r.type === 'rewind') && lastActivityAt === undefined;
    const compaction = r.type === 'compaction' && lastCompactionAt === undefined;
    if (!activity && !compaction) continue;
    const at = Date.parse(r.at);
    if (Number.isNaN(at)) continue;
    if (activity) lastActivityAt = at;
    else lastCompactionAt = at;
  }
  return { lastActivityAt, lastCompactionAt, contextTokens };
}

export interface IdleInput {
  now: number;
  settings: IdleSettings;
  facts: IdleFacts;
  busy: boolean;
  /** Another compaction of this session is running. */
  compacting: boolean;
  /** The session's idle breaker: failures so far and when the last one was. */
  breaker: Pick<CircuitBreaker, 'status'>;
}

export type IdleDecision =
  | { action: 'compact'; reason: string }
  | { action: 'wait'; dueAt: number; reason: string }
  | { action: 'skip'; reason: string };

/** Pure: what to do with one session now. */
export function decideIdleCompaction(input: IdleInput): IdleDecision {
  const { settings, facts, now } = input;
  const afterMs = settings.afterMinutes * 60_000;
  if (!(afterMs > 0)) return { action: 'skip', reason: 'idle compaction is turned off' };
  const breaker = input.breaker.status();
  if (breaker.open) return { action: 'skip', reason: 'idle compaction is paused for this session after repeated failures' };
  if (facts.lastActivityAt === undefined) return { action: 'skip', reason: 'the session has no messages' };
  if (facts.lastCompactionAt !== undefined && facts.lastCompactionAt >= facts.lastActivityAt) {
    return { action: 'skip', reason: 'compacted since its last message' };
  }
  if (facts.contextTokens < settings.minTokens) {
    return { action: 'skip', reason: `${facts.contextTokens} tokens is below the ${settings.minTokens}-token minimum` };
  }
  // After a failure, wait another idle period before trying again (never a tight retry loop).
  const since = Math.max(facts.lastActivityAt, breaker.lastFailure?.at ?? 0);
  const dueAt = since + afterMs;
  if (now < dueAt) return { action: 'wait', dueAt, reason: 'not idle long enough' };
  if (input.busy) return { action: 'wait', dueAt: now + IDLE_BUSY_RECHECK_MS, reason: 'a request is in flight' };
  if (input.compacting) return { action: 'wait', dueAt: now + IDLE_BUSY_RECHECK_MS, reason: 'another compaction is running' };
  return { action: 'compact', reason: `idle for ${Math.round((now - facts.lastActivityAt) / 60_000)} min` };
}

export interface IdleOutcome {
  status: string;
  reason?: string;
}

/** The scheduler's view of the SessionService (adapted in idleCompaction.ts). */
export interface IdleHost {
  settings(): IdleSettings;
  /** Undefined when the session is not loaded (or gone). */
  facts(id: string): IdleFacts | undefined;
  isBusy(id: string): boolean;
  isCompacting(id: string): boolean;
  /** Runs the compaction pipeline with source `idle`; resolves `aborted` when the signal fired. */
  compact(id: string, signal: AbortSignal): Promise<IdleOutcome>;
  /** The session's idle status changed (paused, resumed): views may redraw. */
  statusChanged(id: string): void;
  log(message: string): void;
}

export interface IdleStatus {
  /** Why idle compaction stopped for this session, in a sentence a user can act on. */
  paused?: string;
}

export class IdleScheduler {
  private readonly watched = new Set<string>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private timer: unknown;
  private timerDueAt: number | undefined;
  private running: { id: string; controller: AbortController } | undefined;
  private disposed = false;

  constructor(
    private readonly host: IdleHost,
    private readonly clock: IdleClock = systemClock,
  ) {}

  /** Sessions worked in this window (the active one, any with activity) are watched. */
  track(id: string): void {
    this.watched.add(id);
    this.reschedule();
  }

  untrack(id: string): void {
    this.watched.delete(id);
    this.breakers.delete(id);
    this.reschedule();
  }

  /** A message was appended (or the log changed otherwise): the idle period restarts. */
  activity(id: string): void {
    this.track(id);
  }

  /** Any compaction record was appended: the breaker closes (a success), the session waits for new activity. */
  compacted(id: string): void {
    const breaker = this.breakers.get(id);
    if (breaker?.status().consecutiveFailures) {
      breaker.recordSuccess();
      this.host.statusChanged(id);
    }
    this.reschedule();
  }

  busyChanged(id: string, busy: boolean): void {
    if (busy) this.cancelRunning(id, 'a request started');
    this.reschedule();
  }

  /** A compaction is starting; a manual or automatic one wins over a running idle one. */
  compactionStarting(id: string, source: string): void {
    if (source !== 'idle') this.cancelRunning(id, `a ${source} compaction started`);
  }

  settingsChanged(): void {
    this.reschedule();
  }

  status(id: string): IdleStatus {
    const s = this.breakers.get(id)?.status();
    if (!s?.open) return {};
    return {
      paused:
        `Idle compaction stopped for this session after ${s.consecutiveFailures} failures in a row` +
        `${s.lastFailure ? ` (last: ${s.lastFailure.reason})` : ''}. A successful compaction (e.g. /compact) resumes it.`,
    };
  }

  /** The time the timer is set for (tests and logs). */
  get nextDueAt(): number | undefined {
    return this.timerDueAt;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.running?.controller.abort();
    this.watched.clear();
  }

  private breaker(id: string): CircuitBreaker {
    let b = this.breakers.get(id);
    if (!b) {
      b = new CircuitBreaker({ maxConsecutiveFailures: IDLE_MAX_CONSECUTIVE_FAILURES, now: () => this.clock.now() });
      this.breakers.set(id, b);
    }
    return b;
  }

  private cancelRunning(id: string, why: string): void {
    if (this.running?.id !== id || this.running.controller.signal.aborted) return;
    this.host.log(`idle compaction of ${id} yields: ${why}`);
    this.running.controller.abort();
  }

  private decide(id: string, now: number): IdleDecision {
    const facts = this.host.facts(id);
    if (!facts) return { action: 'skip', reason: 'not loaded' };
    return decideIdleCompaction({
      now,
      settings: this.host.settings(),
      facts,
      busy: this.host.isBusy(id),
      compacting: this.host.isCompacting(id),
      breaker: this.breaker(id),
    });
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueAt = undefined;
  }

  /** One timer, to the earliest due time among the watched sessions (none when nothing is due). */
  private reschedule(): void {
    this.clearTimer();
    if (this.disposed || this.running) return; // after a run, reschedule() is called again
    const now = this.clock.now();
    let next: number | undefined;
    for (const id of this.watched) {
      const d = this.decide(id, now);
      const due = d.action === 'compact' ? now : d.action === 'wait' ? d.dueAt : undefined;
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    if (next === undefined) return;
    this.timerDueAt = next;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerDueAt = undefined;
      void this.tick();
    }, Math.min(MAX_TIMER_MS, Math.max(0, next - now)));
  }

  private async tick(): Promise<void> {
    if (this.disposed || this.running) return;
    const now = this.clock.now();
    const id = [...this.watched].find((s) => this.decide(s, now).action === 'compact');
    if (id) await this.run(id);
    this.reschedule();
  }

  private async run(id: string): Promise<void> {
    const controller = new AbortController();
    this.running = { id, controller };
    const breaker = this.breaker(id);
    const wasOpen = breaker.status().open;
    try {
      const outcome = await this.host.compact(id, controller.signal);
      if (outcome.status === 'compacted') breaker.recordSuccess();
      else if (outcome.status === 'aborted' || controller.signal.aborted) this.host.log(`idle compaction of ${id} was cancelled; the session is unchanged`);
      else breaker.recordFailure(outcome.reason ?? outcome.status);
    } catch (err) {
      if (!controller.signal.aborted) breaker.recordFailure(errorMessage(err));
    } finally {
      this.running = undefined;
    }
    const status = breaker.status();
    if (status.open !== wasOpen) {
      if (status.open) this.host.log(`idle compaction stopped for ${id} after ${status.consecutiveFailures} consecutive failures`);
      this.host.statusChanged(id);
    }
  }
}
