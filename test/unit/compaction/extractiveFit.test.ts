/**
 * The extractive summary chooses its items by estimate and counts only the
 * finished text with the real counter (src/compaction/tiers/summaryFit.ts):
 * the result fits the budget by the real counter however far off the
 * estimate is, and the real counter is asked about a bounded number of texts,
 * not about every candidate line.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { compact } from '../../../src/compaction/planner';
import type { MessageRecord } from '../../../src/compaction/records';
import { extractiveSummary } from '../../../src/compaction/tiers/extractive';
import { approxTokens } from '../../../src/compaction/tokens/approx';
import { createTokenCounter, partCost } from '../../../src/compaction/tokens/counter';
import { MESSAGE_OVERHEAD_TOKENS } from '../../../src/compaction/constants';
import type { TokenCounter } from '../../../src/compaction/types';
import { assistant, call, codingSession, fakeClock, result, session, user } from './fixtures';

/** A "real" counter (not flagged as an estimate) that counts `tokens(text)`. */
function counterOf(encoding: string, tokens: (text: string) => number): TokenCounter & { texts: string[] } {
  const texts: string[] = [];
  const countText = (t: string) => (texts.push(t), t.length === 0 ? 0 : tokens(t));
  return {
    encoding,
    estimated: false,
    texts,
    countText,
    countParts: (parts) => parts.reduce((s, p) => s + partCost(p, countText), MESSAGE_OVERHEAD_TOKENS),
  };
}

const superlinear = (t: string) => Math.ceil((t.length / 4) * (1 + t.length / 20_000));

const counters = () => [
  // Uniformly off: the estimate (about 4–6 characters a token) is 3× too low, or 2× too high.
  counterOf('heavy', (t) => Math.ceil(t.length / 1.5)),
  counterOf('light', (t) => Math.ceil(t.length / 10)),
  // Off more the longer the text: a section's sample looks about right, the whole summary counts up to twice as much.
  counterOf('superlinear', superlinear),
];

/** Many candidates: 60 turns of reads, commands, errors and decisions. */
const msgs = () => codingSession(60, 300).records as MessageRecord[];

test('approxTokens follows the tokenizer closer than chars / 4 on the kinds of text a summary holds', () => {
  const real = createTokenCounter();
  const kinds = {
    prose: 'I decided to keep the parser because the callers depend on its error messages; the fix is in the tokenizer instead.',
    paths: 'src/compaction/tiers/extractive.ts — edited, read\n/home/user/project/node_modules/.bin/tsc — seen in output',
    commands: 'npm test -- --grep "summary fits" 2>&1 | tail -n 40 && git diff --stat HEAD~1',
    identifiers: 'parseSummary extractiveSummary SUMMARY_FIT_MAX_ATTEMPTS tokensPerEstimate HTTPServerError x_1',
    numbers: 'took 1,234,567 ms at 2025-01-01T00:00:00.000Z (exit code 127)',
  };
  assert.equal(approxTokens(''), 0);
  for (const [kind, text] of Object.entries(kinds)) {
    const n = real.countText(text);
    assert.ok(Math.abs(approxTokens(text) - n) <= Math.max(3, n * 0.3), `${kind}: approx ${approxTokens(text)}, real ${n}`);
  }
  const all = Object.values(kinds).join('\n');
  const n = real.countText(all);
  assert.ok(Math.abs(approxTokens(all) - n) < Math.abs(Math.ceil(all.length / 4) - n), `approx ${approxTokens(all)}, chars / 4 ${Math.ceil(all.length / 4)}, real ${n}`);
});

test('the summary fits its budget by the real counter, however far off the estimate is', () => {
  let shortened = 0;
  for (const counter of counters()) {
    for (const budget of [400, 1_500, 6_000]) {
      const text = extractiveSummary({ messages: msgs() }, { budgetTokens: budget, counter });
      const tokens = counter.countText(text);
      assert.ok(tokens <= budget, `${counter.encoding} @ ${budget}: ${tokens} tokens`);
      assert.match(text, /\n- Request 60: please fix the bug in src\/mod60\.ts and do not touch package\.json\n/, `${counter.encoding} @ ${budget}: the latest request is quoted whole`);
      // When candidates are left out the room is used: the count corrected the estimate.
      if (/more omitted to fit the budget|Omitted to fit/.test(text)) {
        shortened++;
        assert.ok(tokens >= budget * 0.8, `${counter.encoding} @ ${budget}: only ${tokens} tokens used`);
      }
    }
  }
  assert.ok(shortened >= 6, `only ${shortened} of 9 summaries had to leave something out`);
});

test('the real counter is asked about a bounded number of texts, not every candidate', () => {
  // Three requests; the tool rounds add candidates (files, commands, errors, identifiers) only.
  const rounds = (n: number) => {
    const records: MessageRecord[] = [user('u1', 'Set up the build'), user('u2', 'Now fix the failing modules one by one')];
    for (let i = 0; i < n; i++) {
      records.push(call(`a${i}`, `c${i}`, 'bash', { command: `npm test -- src/module${i}/part${i}.ts --grep caseNumber${i}` }));
      records.push(result(`t${i}`, `c${i}`, 'bash', `TypeError: cannot read property value${i} of undefined in handlerFor${i}`, true));
      records.push(assistant(`s${i}`, `I will change parseModule${i} instead of the caller because it owns the state.`));
    }
    records.push(user('u3', 'Summarize what is left'));
    return records;
  };
  const real = createTokenCounter();
  const calls = (n: number) => {
    const counter = counterOf('spy', (t) => real.countText(t));
    const messages = rounds(n);
    const text = extractiveSummary({ messages }, { budgetTokens: 3_000, counter });
    assert.ok(counter.countText(text) <= 3_000);
    return counter.texts.length - 1;
  };
  const few = calls(20);
  const many = calls(400); // 1,200 candidate lines more
  assert.ok(many <= 40, `${many} texts counted for 400 rounds`);
  assert.ok(many <= few + 4, `${few} texts counted for 20 rounds, ${many} for 400`);
});

test('auto with a counter the estimate misjudges lands under the target, its summary counted by that counter', () => {
  const counter = counterOf('superlinear', superlinear);
  const records = msgs().map((m) => ({ ...m, tokens: counter.countParts(m.parts), encoding: counter.encoding }));
  const log = session(records, 'You are a coding agent.');
  const out = compact(log, { source: 'manual', strategy: 'auto', targetTokens: 9_000, counter, clock: fakeClock(), maskAfterTurns: 2 });
  assert.equal(out.status, 'compacted');
  if (out.status !== 'compacted') return;
  assert.ok(out.record.tiers.some((t) => t.tier === 'summarize'));
  assert.equal(out.record.summaryTokens, counter.countParts([{ type: 'text', text: out.record.summary }]), 'the stored count is the counter’s');
  assert.ok(out.report.after.tokens <= 9_000, `${out.report.after.tokens} tokens`);
  assert.match(out.record.summary, /## User requests/);
});
