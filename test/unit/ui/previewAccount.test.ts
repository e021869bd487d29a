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
  // The ledger measures every summary: the account shows the record's fidelity, and no line without one.
  assert.equal(typeof proposal.record.fidelity, 'number');
  assert.match(text, new RegExp(`\\*\\*Fidelity:\\*\\* ${Math.round(proposal.record.fidelity! * 100)}% of tracked facts kept`));
  const { fidelity: _omitted, ...withoutFidelity } = proposal.record;
  assert.doesNotMatch(previewAccount(log, withoutFidelity), /Fidelity/, 'no fidelity line without one on the record');
});

test('fidelity as the account words it: a share of tracked facts, and what happened to the rest', () => {
  const base = { type: 'compaction' } as never;
  assert.equal(fidelityText(base), undefined);
  assert.equal(fidelityText({ ...(base as object), fidelity: 0.875 } as never), '88% of tracked facts kept (the rest added back from the log)');
  assert.equal(fidelityText({ ...(base as object), fidelity: 1 } as never), '100% of tracked facts kept');
});
