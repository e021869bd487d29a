// Background preparation's lifecycle (issue 15) with a fake model and clock:
// prepared and applied, stale, cancelled by a manual compaction / revert /
// rewind / closing the session, failure falling back to a normal compaction,
// at most one per session, never while blocked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf, contextTokens } from '../../../src/compaction/context';
import type { SessionLog } from '../../../src/compaction/records';
import { compactPreparedOrNow, Preparations, prepareThreshold } from '../../../extension/sessions/preparation';
import { applyProposal, type Proposal } from '../../../extension/sessions/proposals';
import { aCompaction, later, memoryHost, modelAnswer, newTurn, proposeOn, revert, rewind, scripted, sessionLog } from './proposalFixtures';

/** A model that answers when the test says so (or fails), and notices cancellation. */
function controlledModel() {
  const asked: AbortSignal[] = [];
  let release: ((text: string) => void) | undefined;
  const summarizer = scripted(
    Array.from({ length: 10 }, () => (request: { signal: AbortSignal }) => {
      asked.push(request.signal);
      return new Promise<{ text: string }>((resolve, reject) => {
        release = (text) => resolve({ text });
        request.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      });
    }),
  );
  return {
    summarizer,
    asked,
    answer: () => release?.(modelAnswer()),
  };
}

const flush = () => new Promise((r) => setImmediate(r));

/** One session (≈ 6,400 tokens) in an 8,000-token effective window: 80%, above a 75% preparation level. */
function harness(options: { percent?: number; window?: number; blocked?: () => string | undefined; propose?: () => Promise<Proposal | undefined> } = {}) {
  const log: SessionLog = sessionLog();
  const model = controlledModel();
  let now = 1_000_000;
  const logs: string[] = [];
  let proposes = 0;
  const preparations = new Preparations({
    preparePercent: () => options.percent ?? 75,
    facts: (id) => (id === log.header.id ? { log, usedTokens: contextTokens(contextOf(log)), effectiveWindow: options.window ?? 8_000 } : undefined),
    blockedBecause: () => options.blocked?.(),
    propose: async (_id, signal) => {
      proposes++;
      return options.propose ? options.propose() : proposeOn(log, model.summarizer, signal);
    },
    log: (m) => void logs.push(m),
    now: () => (now += 250),
  });
  const id = log.header.id;
  return { log, model, preparations, id, logs, proposes: () => proposes };
}

/** Gives the background preparation a few turns of the event loop to become ready. */
async function untilReady(h: ReturnType<typeof harness>): Promise<void> {
  for (let i = 0; i < 20 && h.preparations.state(h.id) !== 'ready'; i++) await flush();
}

/** A harness whose session crossed the level, its summary answered: the preparation is ready to claim. */
async function readyHarness(): Promise<ReturnType<typeof harness>> {
  const h = harness();
  h.preparations.changed(h.id);
  await flush();
  h.model.answer();
  await untilReady(h);
  return h;
}

test('the preparation level: a share of the effective window, off at 0', () => {
  assert.equal(prepareThreshold(8_000, 75), 6_000);
  assert.equal(prepareThreshold(8_000, 0), undefined);
  assert.equal(prepareThreshold(0, 75), undefined);
});

test('below the preparation level nothing is prepared', async () => {
  const h = harness({ window: 20_000 });
  h.preparations.changed(h.id);
  await flush();
  assert.equal(h.preparations.state(h.id), 'none');
  assert.equal(h.proposes(), 0);
});

test('prepared and applied: the auto-compaction point applies it with no summary request; messages added since stay verbatim', async () => {
  const h = harness();
  h.preparations.changed(h.id);
  assert.equal(h.preparations.state(h.id), 'running');
  await flush();
  assert.equal(h.model.asked.length, 1, 'the summary is requested in the background');
  h.model.answer();
  await untilReady(h);
  assert.equal(h.preparations.state(h.id), 'ready');
  assert.ok(h.logs.some((m) => /prepared in \d+ ms/.test(m)), h.logs.join('\n'));
  later(h.log, ...newTurn(1));
  h.preparations.changed(h.id);
  assert.equal(h.preparations.state(h.id), 'ready', 'new messages keep it valid');
  const host = memoryHost(h.log);
  let normal = 0;
  const result = await compactPreparedOrNow(h.preparations, h.id, (p) => applyProposal(host, p, { prepared: true }), async () => {
    normal++;
    throw new Error('not expected');
  }, () => undefined);
  assert.equal(normal, 0);
  assert.equal(h.model.asked.length, 1, 'no summary request at the compaction point');
  assert.equal(result.record.prepared, true);
  assert.equal(result.report.prepared, true);
  const context = contextOf(h.log);
  assert.equal(context.at(-1)?.messageId, 'late-a1');
  assert.equal(h.preparations.state(h.id), 'none', 'taken');
});

test('a preparation still running when auto-compaction triggers is awaited, not duplicated', async () => {
  const h = harness();
  h.preparations.changed(h.id);
  await flush();
  const claimed = h.preparations.claim(h.id);
  h.model.answer();
  const proposal = await claimed;
  assert.ok(proposal);
  assert.equal(h.model.asked.length, 1);
});

test('at most one preparation per session', async () => {
  const h = harness();
  h.preparations.changed(h.id);
  h.preparations.changed(h.id);
  later(h.log, ...newTurn(1));
  h.preparations.changed(h.id);
  await flush();
  assert.equal(h.proposes(), 1);
  assert.equal(h.model.asked.length, 1);
});

test('stale: a ready preparation is dropped after a compaction; one stale at claim time is not used and the normal compaction runs', async () => {
  const h = await readyHarness();
  // A compaction nobody announced (e.g. another window's) appended straight to the log: the claim checks.
  later(h.log, aCompaction('c-elsewhere', { covered: ['u1', 'a1a'] }));
  let normal = 0;
  const out = await compactPreparedOrNow(h.preparations, h.id, async (p: Proposal) => p.key, async () => {
    normal++;
    return 'normal';
  }, () => undefined);
  assert.equal(out, 'normal');
  assert.equal(normal, 1);
  assert.ok(h.logs.some((m) => /dropped: the session was compacted since/.test(m)), h.logs.join('\n'));
});

test('stale when applied (the result would still be at the auto-compact level): the normal compaction runs', async () => {
  const h = await readyHarness();
  const host = memoryHost(h.log);
  const out = await compactPreparedOrNow(h.preparations, h.id, (p) => applyProposal(host, p, { prepared: true, maxAfterTokens: 1 }).then(() => 'prepared'), async () => 'normal', () => undefined);
  assert.equal(out, 'normal');
  assert.equal(host.appended.length, 0);
});

test('cancelled by a manual compaction: the running request is aborted, nothing is prepared', async () => {
  const h = harness();
  h.preparations.changed(h.id);
  await flush();
  h.preparations.cancel(h.id, 'a manual compaction started');
  assert.equal(h.model.asked[0]?.aborted, true, 'the summary request is cancelled');
  await flush();
  assert.equal(h.preparations.state(h.id), 'none');
  assert.equal(await h.preparations.claim(h.id), undefined);
});

test('cancelled by a revert and by a rewind (edit/retry): the change event finds it invalid and aborts it', async () => {
  for (const change of [revert('c-old'), rewind('rw1', 3)]) {
    const h = harness();
    h.preparations.changed(h.id);
    await flush();
    const first = h.model.asked[0];
    later(h.log, change);
    h.preparations.changed(h.id);
    assert.equal(first?.aborted, true, `${change.type}: the running preparation is cancelled`);
    assert.ok(h.logs.some((m) => /background preparation cancelled/.test(m)));
    // Still above the level: a fresh preparation starts on the changed log, never the old one.
    await flush();
    assert.equal(h.proposes(), 2);
    h.model.answer();
    const proposal = await h.preparations.claim(h.id);
    assert.ok(proposal);
    assert.equal(proposal.mark.ids.at(-1), change.id, 'the new preparation saw the change');
  }
});

test('cancelled when the session closes, and by dispose', async () => {
  const h = harness();
  h.preparations.changed(h.id);
  await flush();
  h.preparations.forget(h.id);
  assert.equal(h.model.asked[0]?.aborted, true);
  h.preparations.changed(h.id);
  await flush();
  h.preparations.dispose();
  assert.equal(h.model.asked[1]?.aborted, true);
  h.preparations.changed(h.id);
  assert.equal(h.proposes(), 2, 'nothing starts after dispose');
});

test('a failed preparation falls back to a normal compaction and is not retried until the session changes', async () => {
  // (A model failure is no preparation failure: the pipeline falls back to the extractive summary, still a proposal.)
  const f = harness({
    propose: async () => {
      throw new Error('engine unavailable');
    },
  });
  f.preparations.changed(f.id);
  for (let i = 0; i < 20 && f.preparations.state(f.id) === 'running'; i++) await flush();
  assert.equal(f.preparations.state(f.id), 'failed');
  assert.ok(f.logs.some((m) => /background preparation failed \(engine unavailable\)/.test(m)));
  const out = await compactPreparedOrNow(f.preparations, f.id, async () => 'prepared', async () => 'normal', () => undefined);
  assert.equal(out, 'normal');
  later(f.log, ...newTurn(1));
  f.preparations.changed(f.id);
  assert.equal(f.preparations.state(f.id), 'failed', 'no retry on new messages');
  later(f.log, aCompaction('c-next', { covered: ['u1'] }));
  f.preparations.changed(f.id);
  assert.notEqual(f.preparations.state(f.id), 'failed', 'a compaction clears the failure');
});

test('never while blocked (auto-compaction off or paused, a compaction or idle compaction running)', async () => {
  let blocked: string | undefined = 'a compaction is running';
  const h = harness({ blocked: () => blocked });
  h.preparations.changed(h.id);
  await flush();
  assert.equal(h.proposes(), 0);
  blocked = undefined;
  h.preparations.changed(h.id);
  await flush();
  assert.equal(h.proposes(), 1);
});

test('only new messages cross the level: other changes (opening, importing, a compaction) check validity but start nothing', async () => {
  const h = harness();
  h.preparations.changed(h.id, { mayStart: false });
  await flush();
  assert.equal(h.proposes(), 0);
  h.preparations.changed(h.id);
  await flush();
  assert.equal(h.proposes(), 1);
});
