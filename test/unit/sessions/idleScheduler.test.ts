import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionLog } from '../../../src/compaction/records';
import {
  decideIdleCompaction,
  idleFactsOf,
  IdleScheduler,
  type IdleClock,
  type IdleFacts,
  type IdleHost,
  type IdleOutcome,
} from '../../../extension/sessions/idleScheduler';
import { CircuitBreaker } from '../../../extension/sessions/autoCompactionDecision';

const MIN = 60_000;

/** A clock whose time moves only when the test says; timers fire in due order. */
class FakeClock implements IdleClock {
  time = 1_000_000;
  timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers.delete(handle as number);
  };
  /** Moves time forward, firing due timers and letting their promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

interface FakeSession extends IdleFacts {
  busy?: boolean;
  compacting?: boolean;
}

function setup(options: { afterMinutes?: number; minTokens?: number; outcome?: () => Promise<IdleOutcome> } = {}) {
  const clock = new FakeClock();
  const sessions = new Map<string, FakeSession>();
  const compacted: string[] = [];
  const statusChanges: string[] = [];
  const signals: AbortSignal[] = [];
  let outcome = options.outcome ?? (async () => ({ status: 'compacted' }));
  const host: IdleHost = {
    settings: () => ({ afterMinutes: options.afterMinutes ?? 60, minTokens: options.minTokens ?? 20_000 }),
    facts: (id) => sessions.get(id),
    isBusy: (id) => sessions.get(id)?.busy ?? false,
    isCompacting: (id) => sessions.get(id)?.compacting ?? false,
    compact: async (id, signal) => {
      compacted.push(id);
      signals.push(signal);
      const result = await outcome();
      const s = sessions.get(id);
      if (s && result.status === 'compacted') s.lastCompactionAt = clock.now();
      return result;
    },
    statusChanged: (id) => statusChanges.push(id),
    log: () => undefined,
  };
  const scheduler = new IdleScheduler(host, clock);
  const add = (id: string, facts: Partial<FakeSession> = {}) => {
    sessions.set(id, { lastActivityAt: clock.now(), lastCompactionAt: undefined, contextTokens: 50_000, ...facts });
    scheduler.track(id);
  };
  return { clock, sessions, compacted, statusChanges, signals, scheduler, add, setOutcome: (o: () => Promise<IdleOutcome>) => (outcome = o) };
}

describe('IdleScheduler', () => {
  it('compacts after the idle time, not before, with one timer to the due time', async () => {
    const { clock, compacted, scheduler, add } = setup({ afterMinutes: 60 });
    add('a');
    assert.equal(clock.timers.size, 1, 'one timer');
    assert.equal(scheduler.nextDueAt, clock.now() + 60 * MIN, 'set to the due time, not polling');
    await clock.advance(59 * MIN);
    assert.deepEqual(compacted, [], 'not before the idle time');
    await clock.advance(1 * MIN);
    assert.deepEqual(compacted, ['a'], 'compacted once the session has been idle 60 min');
    await clock.advance(600 * MIN);
    assert.deepEqual(compacted, ['a'], 'not again: compacted since its last message');
    assert.equal(clock.timers.size, 0, 'no timer left when nothing is due');
  });

  it('new activity restarts the idle period', async () => {
    const { clock, sessions, compacted, scheduler, add } = setup({ afterMinutes: 10 });
    add('a');
    await clock.advance(8 * MIN);
    sessions.get('a')!.lastActivityAt = clock.now();
    scheduler.activity('a');
    await clock.advance(8 * MIN);
    assert.deepEqual(compacted, []);
    await clock.advance(2 * MIN);
    assert.deepEqual(compacted, ['a']);
  });

  it('skips sessions below minTokens', async () => {
    const { clock, compacted, add } = setup({ afterMinutes: 1, minTokens: 20_000 });
    add('small', { contextTokens: 19_999 });
    add('big', { contextTokens: 20_000 });
    await clock.advance(5 * MIN);
    assert.deepEqual(compacted, ['big']);
  });

  it('never touches a session with a request in flight; compacts once the request is over', async () => {
    const { clock, sessions, compacted, scheduler, add } = setup({ afterMinutes: 1 });
    add('a', { busy: true });
    await clock.advance(5 * MIN);
    assert.deepEqual(compacted, [], 'busy: left alone');
    sessions.get('a')!.busy = false;
    scheduler.busyChanged('a', false);
    await clock.advance(0);
    assert.deepEqual(compacted, ['a']);
  });

  it('skips a session compacted (by hand or automatically) since its last message, until new activity', async () => {
    const { clock, sessions, compacted, scheduler, add } = setup({ afterMinutes: 1 });
    add('a');
    await clock.advance(30_000);
    sessions.get('a')!.lastCompactionAt = clock.now(); // a manual compaction
    scheduler.compacted('a');
    await clock.advance(10 * MIN);
    assert.deepEqual(compacted, []);
    sessions.get('a')!.lastActivityAt = clock.now();
    scheduler.activity('a');
    await clock.advance(1 * MIN);
    assert.deepEqual(compacted, ['a'], 'eligible again after new activity');
  });

  it('waits while another compaction of the session runs', async () => {
    const { clock, sessions, compacted, add } = setup({ afterMinutes: 1 });
    add('a', { compacting: true });
    await clock.advance(2 * MIN);
    assert.deepEqual(compacted, []);
    sessions.get('a')!.compacting = false;
    await clock.advance(1 * MIN);
    assert.deepEqual(compacted, ['a'], 'rechecked later, then compacted');
  });

  it('yields to a manual compaction or a request that starts meanwhile (cancelled, not a failure)', async () => {
    let release!: (o: IdleOutcome) => void;
    const { clock, sessions, compacted, signals, scheduler, add, setOutcome } = setup({ afterMinutes: 1 });
    setOutcome(() => new Promise<IdleOutcome>((r) => (release = r)));
    add('a');
    await clock.advance(1 * MIN);
    assert.equal(scheduler.isRunning, true);
    scheduler.compactionStarting('a', 'idle');
    assert.equal(signals[0]!.aborted, false, 'its own start does not cancel it');
    scheduler.compactionStarting('a', 'manual');
    assert.equal(signals[0]!.aborted, true, 'a manual compaction cancels the idle one');
    sessions.get('a')!.lastCompactionAt = clock.now(); // the manual compaction's record
    release({ status: 'aborted' });
    await settle();
    assert.equal(scheduler.isRunning, false);
    assert.deepEqual(scheduler.status('a'), {}, 'a yield is not a failure');

    add('b');
    await clock.advance(1 * MIN);
    sessions.get('b')!.busy = true;
    scheduler.busyChanged('b', true);
    assert.equal(signals[1]!.aborted, true, 'a request cancels the idle compaction');
    release({ status: 'aborted' });
    await settle();
    assert.deepEqual(compacted, ['a', 'b']);
  });

  it('stops for a session after 2 consecutive failures, waiting an idle period between tries, and says so', async () => {
    const { clock, compacted, statusChanges, scheduler, add, setOutcome } = setup({ afterMinutes: 10 });
    setOutcome(async () => ({ status: 'inflated', reason: 'the summary was longer' }));
    add('a');
    await clock.advance(10 * MIN);
    assert.deepEqual(compacted, ['a']);
    await clock.advance(5 * MIN);
    assert.deepEqual(compacted, ['a'], 'no tight retry loop');
    await clock.advance(5 * MIN);
    assert.deepEqual(compacted, ['a', 'a'], 'retried after another idle period');
    const status = scheduler.status('a');
    assert.match(status.paused ?? '', /stopped for this session after 2 failures in a row \(last: the summary was longer\)/);
    assert.deepEqual(statusChanges, ['a']);
    await clock.advance(1_000 * MIN);
    assert.deepEqual(compacted, ['a', 'a'], 'stopped');
    assert.equal(clock.timers.size, 0);

    // A thrown error counts too; a success elsewhere (a manual compaction) resumes it.
    scheduler.compacted('a');
    assert.deepEqual(scheduler.status('a'), {});
  });

  it('counts a thrown error as a failure', async () => {
    const { clock, scheduler, add, setOutcome } = setup({ afterMinutes: 1 });
    setOutcome(async () => {
      throw new Error('engine down');
    });
    add('a');
    await clock.advance(1 * MIN);
    await clock.advance(1 * MIN);
    assert.match(scheduler.status('a').paused ?? '', /last: engine down/);
  });

  it('is off at 0 minutes and reacts to a settings change', async () => {
    let after = 0;
    const clock = new FakeClock();
    const compacted: string[] = [];
    const facts: IdleFacts = { lastActivityAt: clock.now(), lastCompactionAt: undefined, contextTokens: 50_000 };
    const scheduler = new IdleScheduler(
      {
        settings: () => ({ afterMinutes: after, minTokens: 0 }),
        facts: () => facts,
        isBusy: () => false,
        isCompacting: () => false,
        compact: async (id) => {
          compacted.push(id);
          facts.lastCompactionAt = clock.now();
          return { status: 'compacted' };
        },
        statusChanged: () => undefined,
        log: () => undefined,
      },
      clock,
    );
    scheduler.track('a');
    assert.equal(clock.timers.size, 0, 'off: no timer at all');
    after = 0.1;
    scheduler.settingsChanged();
    await clock.advance(6_000);
    assert.deepEqual(compacted, ['a'], '0.1 min = 6 s');
  });

  it('disposes its timers and cancels a running compaction', async () => {
    const { clock, signals, scheduler, add, setOutcome } = setup({ afterMinutes: 1 });
    add('a');
    add('b', { lastActivityAt: clock.now() + 30_000 });
    assert.equal(clock.timers.size, 1);
    setOutcome(() => new Promise<IdleOutcome>(() => undefined));
    await clock.advance(1 * MIN);
    assert.equal(scheduler.isRunning, true);
    scheduler.dispose();
    assert.equal(clock.timers.size, 0, 'no timer after dispose');
    assert.equal(signals[0]!.aborted, true, 'the running compaction is cancelled');
    scheduler.track('b');
    assert.equal(clock.timers.size, 0, 'nothing is scheduled after dispose');
  });
});

describe('decideIdleCompaction and idleFactsOf', () => {
  it('decides from the facts', () => {
    const base = { now: 10 * MIN, settings: { afterMinutes: 5, minTokens: 100 }, busy: false, compacting: false, breaker: new CircuitBreaker({ maxConsecutiveFailures: 2 }) };
    const facts = { lastActivityAt: 6 * MIN, lastCompactionAt: undefined, contextTokens: 500 };
    assert.deepEqual(decideIdleCompaction({ ...base, facts }), { action: 'wait', dueAt: 11 * MIN, reason: 'not idle long enough' });
    assert.deepEqual(decideIdleCompaction({ ...base, facts: { ...facts, lastActivityAt: 5 * MIN } }).action, 'compact');
    assert.match(decideIdleCompaction({ ...base, facts: { ...facts, lastActivityAt: 5 * MIN, lastCompactionAt: 6 * MIN } }).reason, /compacted since its last message/);
    assert.match(decideIdleCompaction({ ...base, facts: { ...facts, lastActivityAt: 0, contextTokens: 99 } }).reason, /below the 100-token minimum/);
    assert.equal(decideIdleCompaction({ ...base, settings: { afterMinutes: 0, minTokens: 0 }, facts }).action, 'skip');
  });

  it('reads the newest message and compaction times from a log', () => {
    const log = {
      header: { type: 'session', v: 1, id: 's', createdAt: '2025-01-01T00:00:00.000Z' },
      records: [
        { type: 'message', id: 'm1', at: '2025-01-01T00:01:00.000Z', role: 'user', parts: [], tokens: 1, encoding: 'x' },
        { type: 'compaction', id: 'c1', at: '2025-01-01T00:02:00.000Z' },
        { type: 'message', id: 'm2', at: '2025-01-01T00:03:00.000Z', role: 'assistant', parts: [], tokens: 1, encoding: 'x' },
      ],
    } as unknown as SessionLog;
    assert.deepEqual(idleFactsOf(log, 42), { lastActivityAt: Date.parse('2025-01-01T00:03:00.000Z'), lastCompactionAt: Date.parse('2025-01-01T00:02:00.000Z'), contextTokens: 42 });
  });

  it('skips records whose time does not parse, counts a rewind as activity and ignores reverts', () => {
    const at = (m: number) => `2025-01-01T00:0${m}:00.000Z`;
    const log = {
      header: { type: 'session', v: 1, id: 's', createdAt: at(0) },
      records: [
        { type: 'message', id: 'm1', at: at(1), role: 'user', parts: [], tokens: 1, encoding: 'x' },
        { type: 'compaction', id: 'c1', at: at(2) },
        { type: 'compaction', id: 'c2', at: 'not a time' },
        { type: 'rewind', id: 'r1', at: at(3), fromTurn: 0 },
        { type: 'message', id: 'm2', at: 'yesterday-ish', role: 'user', parts: [], tokens: 1, encoding: 'x' },
        { type: 'revert', id: 'v1', at: at(5), compactionId: 'c1' },
      ],
    } as unknown as SessionLog;
    assert.deepEqual(idleFactsOf(log, 7), { lastActivityAt: Date.parse(at(3)), lastCompactionAt: Date.parse(at(2)), contextTokens: 7 });
    const noCompaction = { ...log, records: log.records.filter((r) => r.type === 'message') };
    assert.deepEqual(idleFactsOf(noCompaction, 7), { lastActivityAt: Date.parse(at(1)), lastCompactionAt: undefined, contextTokens: 7 });
  });
});
