// The preview's states (issue 14) with a fake editor: apply, discard, edit then
// apply (recounted), cancel (the editor closed), an edit that cannot apply,
// and the session changing while the preview is open.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PreviewDecision, previewCompaction, type PreviewHost } from '../../../extension/sessions/previewFlow';
import { applyProposal, editableSummary, type Proposal } from '../../../extension/sessions/proposals';
import { memoryHost, newTurn, proposeOn, rewind, sessionLog } from './proposalFixtures';

/** A preview host whose "person" answers with the scripted decisions (a function sees the proposal). */
async function harness(decisions: ((p: Proposal) => PreviewDecision)[], options: { beforeApply?: (log: ReturnType<typeof sessionLog>) => void; propose?: PreviewHost['propose'] } = {}) {
  const log = sessionLog();
  const apply = memoryHost(log, () => 17);
  const seen = { reviews: 0, problems: [] as string[], closed: 0, applies: 0 };
  const host: PreviewHost = {
    propose: options.propose ?? (async () => {
      const proposal = await proposeOn(log);
      assert.ok(proposal);
      return { status: 'proposed', proposal };
    }),
    review: async (p) => {
      seen.reviews++;
      const next = decisions.shift();
      assert.ok(next, 'reviewed more often than scripted');
      return next(p);
    },
    problem: (_p, message) => void seen.problems.push(message),
    apply: async (p, o) => {
      seen.applies++;
      options.beforeApply?.(log);
      return applyProposal(apply, p, o);
    },
    close: async () => void seen.closed++,
  };
  const outcome = await previewCompaction(host);
  return { outcome, seen, log, apply };
}

const asIs = (p: Proposal): PreviewDecision => ({ action: 'apply', summary: editableSummary(p.record) });

test('apply as proposed: applied, not edited, not recounted, the preview closes', async () => {
  const { outcome, seen, apply } = await harness([asIs]);
  assert.equal(outcome.state, 'applied');
  if (outcome.state === 'applied') assert.equal(outcome.edited, false);
  assert.equal(apply.appended.length, 1);
  assert.equal(apply.appended[0]?.edited, undefined);
  assert.equal(apply.counted.length, 0);
  assert.equal(seen.closed, 1);
});

test('discard: nothing is written, the preview closes', async () => {
  const { outcome, seen, log, apply } = await harness([() => ({ action: 'discard', how: 'discarded' })]);
  assert.equal(outcome.state, 'discarded');
  assert.equal(apply.appended.length, 0);
  assert.ok(!log.records.some((r) => r.type === 'compaction'));
  assert.equal(seen.closed, 1);
});

test('cancel (the editor closed): discarded as "closed", nothing written', async () => {
  const { outcome, apply } = await harness([() => ({ action: 'discard', how: 'closed' })]);
  assert.equal(outcome.state, 'discarded');
  if (outcome.state === 'discarded') assert.equal(outcome.how, 'closed');
  assert.equal(apply.appended.length, 0);
});

test('edit then apply: the edited summary is recounted and recorded as edited', async () => {
  const { outcome, apply } = await harness([(p) => ({ action: 'apply', summary: `${editableSummary(p.record)}\n- the release is on Friday` })]);
  assert.equal(outcome.state, 'applied');
  if (outcome.state === 'applied') {
    assert.equal(outcome.edited, true);
    assert.equal(outcome.result.report.edited, true);
  }
  assert.equal(apply.counted.length, 1);
  assert.equal(apply.appended[0]?.summaryTokens, 17);
  assert.equal(apply.appended[0]?.edited, true);
  assert.match(apply.appended[0]?.summary ?? '', /the release is on Friday/);
});

test('an edit that cannot apply (empty) keeps the preview open and says why; the next Apply goes through', async () => {
  const { outcome, seen, apply } = await harness([() => ({ action: 'apply', summary: '' }), asIs]);
  assert.equal(seen.reviews, 2);
  assert.equal(seen.problems.length, 1);
  assert.match(seen.problems[0] ?? '', /empty/);
  assert.equal(outcome.state, 'applied');
  assert.equal(apply.appended.length, 1);
  assert.equal(seen.closed, 1);
});

test('the session changed while the preview was open: Apply fails clearly and writes nothing', async () => {
  // The person edited an earlier request in the Chat view meanwhile.
  const { outcome, apply, seen } = await harness([asIs], { beforeApply: (log) => void log.records.push(rewind('rw-meanwhile', 1)) });
  assert.equal(outcome.state, 'stale');
  if (outcome.state === 'stale') assert.match(outcome.message, /^The session changed \(a request was edited or retried since\); compact again\.$/);
  assert.equal(apply.appended.length, 0);
  assert.equal(seen.closed, 1);
});

test('new messages while the preview was open do not stop Apply: they stay verbatim after the summary', async () => {
  const { outcome, log } = await harness([asIs], { beforeApply: (l) => void l.records.push(...newTurn(1)) });
  assert.equal(outcome.state, 'applied');
  assert.equal(log.records.at(-1)?.type, 'compaction');
  assert.equal(log.records.at(-2)?.id, 'late-a1');
});

test('nothing to propose: the person is told why, no preview opens', async () => {
  const { outcome, seen } = await harness([], {
    propose: async () => ({ status: 'nothing_to_compact', report: { status: 'nothing_to_compact', source: 'manual', strategy: 'llm', tiers: [], before: { tokens: 1, messages: 1 }, after: { tokens: 1, messages: 1 }, tokensSaved: 0, durationMs: 0, reason: 'too short' } }),
  });
  assert.equal(outcome.state, 'not_proposed');
  assert.equal(seen.reviews, 0);
  assert.equal(seen.closed, 0);
});
