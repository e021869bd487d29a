import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fidelityText, previewAccount } from '../../../extension/ui/previewAccount';
import { proposeOn, sessionLog } from '../sessions/proposalFixtures';

test('the preview account: tokens before → after, messages replaced, masking, and each covered message', async () => {
  const log = sessionLog();
  const proposal = await proposeOn(log);
  assert.ok(proposal);
  const text = previewAccount(log, proposal.record);
  assert.match(text, /^# What this compaction replaces/);
  assert.match(text, /\*\*Tokens:\*\* [\d.]+K? → [\d.]+K? \(saved \d+%/);
  assert.match(text, new RegExp(`${proposal.record.covered.length} replaced by the summary`));
  assert.match(text, /\*\*Masking:\*\* (\d+ old tool result|no tool results masked)/);
  assert.match(text, /- user \(\d+ tokens\): Request 1: please fix the bug in src\/mod1\.ts/);
  assert.doesNotMatch(text, /Fidelity/, 'no fidelity line without one on the record');
});

test('fidelity from the record when the ledger recorded one (a ratio or kept/tracked)', () => {
  const base = { type: 'compaction' } as never;
  assert.equal(fidelityText(base), undefined);
  assert.equal(fidelityText({ ...(base as object), fidelity: 0.875 } as never), '88%');
  assert.equal(fidelityText({ ...(base as object), fidelity: { kept: 7, tracked: 8, score: 0.875 } } as never), '7 of 8 tracked facts kept (88%)');
});
