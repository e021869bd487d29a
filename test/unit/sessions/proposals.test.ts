import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf } from '../../../src/compaction/context';
import { SUMMARY_MARKER } from '../../../src/compaction/llm/llmConstants';
import { changeSince, markOf } from '../../../src/compaction/proposal';
import { applyProposal, editableSummary, InvalidEditError, StaleProposalError } from '../../../extension/sessions/proposals';
import { aCompaction, later, memoryHost, newTurn, proposeOn, revert, rewind, sessionLog } from './proposalFixtures';

test('changeSince: new messages keep a mark valid; a compaction, revert, rewind or rewritten record does not', () => {
  const log = sessionLog();
  const mark = markOf(log);
  assert.deepEqual(changeSince(mark, log), { ok: true, addedMessages: 0 });
  later(log, ...newTurn(1));
  assert.deepEqual(changeSince(mark, log), { ok: true, addedMessages: 2 });
  for (const [record, reason] of [
    [aCompaction('c9', {}), /compacted since/],
    [revert('c9'), /reverted since/],
    [rewind('rw1'), /edited or retried since/],
  ] as const) {
    const copy = { ...log, records: [...log.records, record] };
    const change = changeSince(mark, copy);
    assert.equal(change.ok, false);
    if (!change.ok) assert.match(change.reason, reason);
  }
  const rewritten = { ...log, records: log.records.map((r, i) => (i === 3 ? { ...r, id: 'other' } : r)) };
  assert.equal(changeSince(mark, rewritten).ok, false);
});

test('apply: the proposal is appended as computed, measured on the log as it is now', async () => {
  const log = sessionLog();
  const proposal = await proposeOn(log);
  assert.ok(proposal);
  const host = memoryHost(log);
  const result = await applyProposal(host, proposal);
  assert.equal(host.appended.length, 1);
  assert.equal(result.record.summary, proposal.record.summary);
  assert.equal(result.record.edited, undefined);
  assert.equal(host.counted.length, 0, 'an unedited summary is not recounted');
  assert.deepEqual(result.record.before, proposal.record.before);
  assert.deepEqual(result.record.after, proposal.record.after);
  assert.equal(result.report.tokensSaved, result.record.before.tokens - result.record.after.tokens);
});

test('apply: messages added since the proposal stay verbatim after the summary, and before/after include them', async () => {
  const log = sessionLog();
  const proposal = await proposeOn(log);
  assert.ok(proposal);
  later(log, ...newTurn(1));
  const result = await applyProposal(memoryHost(log), proposal);
  const context = contextOf(log);
  assert.equal(context.at(-2)?.messageId, 'late-u1');
  assert.equal(context.at(-1)?.messageId, 'late-a1');
  assert.ok(context.some((m) => m.kind === 'summary'));
  assert.ok(result.record.before.tokens > proposal.record.before.tokens, 'before counts the new turn');
  assert.equal(result.record.after.tokens - proposal.record.after.tokens, result.record.before.tokens - proposal.record.before.tokens);
  assert.equal(result.record.after.messages, proposal.record.after.messages + 2);
});

test('apply with an edited summary: recounted, marked, recorded as edited', async () => {
  const log = sessionLog();
  const proposal = await proposeOn(log);
  assert.ok(proposal);
  assert.ok(!editableSummary(proposal.record).startsWith(SUMMARY_MARKER), 'the person edits the summary without our marker');
  const host = memoryHost(log, () => 42);
  const edited = `${editableSummary(proposal.record)}\n- KEEP: the deploy key rotates on Fridays`;
  const result = await applyProposal(host, proposal, { summary: edited });
  assert.equal(result.record.edited, true);
  assert.equal(result.report.edited, true);
  assert.equal(result.record.summaryTokens, 42, 'the edited summary is recounted');
  assert.equal(host.counted.length, 1);
  assert.ok(result.record.summary.startsWith(`${SUMMARY_MARKER}\n`) && result.record.summary.includes('deploy key rotates on Fridays'));
  assert.equal(result.record.after.tokens, proposal.record.after.tokens - proposal.record.summaryTokens + 42);
  const summary = contextOf(log).find((m) => m.kind === 'summary');
  assert.ok(summary?.parts[0]?.type === 'text' && summary.parts[0].text.includes('deploy key rotates on Fridays'));
});

test('apply: the same text with other surrounding whitespace is not an edit', async () => {
  const log = sessionLog();
  const proposal = await proposeOn(log);
  assert.ok(proposal);
  const result = await applyProposal(memoryHost(log), proposal, { summary: `\n${editableSummary(proposal.record)}\n\n` });
  assert.equal(result.record.edited, undefined);
});

test('apply refuses an empty edited summary and one that makes the context bigger; nothing is written', async () => {
  const log = sessionLog();
  const proposal = await proposeOn(log);
  assert.ok(proposal);
  const host = memoryHost(log, (t) => t.length);
  await assert.rejects(applyProposal(host, proposal, { summary: '   ' }), (e: unknown) => e instanceof InvalidEditError && /empty/.test(e.message));
  await assert.rejects(applyProposal(host, proposal, { summary: 'x'.repeat(200_000) }), (e: unknown) => e instanceof InvalidEditError && /smaller/.test(e.message));
  assert.equal(host.appended.length, 0);
});

test('apply after the session changed: "the session changed; compact again", nothing written', async () => {
  for (const change of [aCompaction('c-other', { covered: ['u1'] }), revert('c-old'), rewind('rw')]) {
    const log = sessionLog();
    const proposal = await proposeOn(log);
    assert.ok(proposal);
    later(log, change);
    const host = memoryHost(log);
    await assert.rejects(applyProposal(host, proposal), (e: unknown) => e instanceof StaleProposalError && /The session changed \(.+\); compact again\./.test(e.message));
    assert.equal(host.appended.length, 0);
  }
});

test('apply with maxAfterTokens: a result still at that level is stale (a prepared summary that no longer helps enough)', async () => {
  const log = sessionLog();
  const proposal = await proposeOn(log);
  assert.ok(proposal);
  const host = memoryHost(log);
  await assert.rejects(applyProposal(host, proposal, { prepared: true, maxAfterTokens: proposal.record.after.tokens }), StaleProposalError);
  const ok = await applyProposal(host, proposal, { prepared: true, maxAfterTokens: proposal.record.after.tokens + 1 });
  assert.equal(ok.record.prepared, true);
  assert.equal(ok.report.prepared, true);
});
