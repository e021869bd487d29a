/**
 * The planner on the shapes where it used to lose the task: single-request
 * agent runs (SWE-agent, mini-swe-agent, OpenHands: the whole run is one user
 * turn), requests quoted verbatim, the first request pinned under truncation,
 * and auto using the budget it is given.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf, contextTokens } from '../../../src/compaction/context';
import { compact } from '../../../src/compaction/planner';
import type { MessageRecord, Part } from '../../../src/compaction/records';
import { findSplitPoint } from '../../../src/compaction/split';
import { extractiveSummary, parseSummary, quoteRequest } from '../../../src/compaction/tiers/extractive';
import { safeCuts } from '../../../src/compaction/turns';
import type { CompactOptions, CompactResult, ContextMessage } from '../../../src/compaction/types';
import { assistant, call, codingSession, estimate, fakeClock, filler, result, session, user } from './fixtures';

const TASK = `<pr_description>
Please support header rows in RestructuredText output.
\`\`\`python
tbl.write(sys.stdout, format="ascii.rst", header_rows=["name", "unit"])
\`\`\`
</pr_description>

Fix it in /testbed without touching the tests.`;

/**
 * One user request, then `rounds` tool rounds (assistant text + bash call → its
 * result of `resultChars`), then a final answer: ≈ rounds × (resultChars / 4 + 40) tokens.
 */
function agentRun(rounds: number, resultChars = 2_000) {
  const records: MessageRecord[] = [user('task', TASK)];
  for (let r = 1; r <= rounds; r++) {
    records.push(call(`a${r}`, `c${r}`, 'bash', { command: `cd /testbed && grep -n step_${r} astropy/io/ascii/rst.py` }, `Round ${r}: looking at step_${r}.`));
    records.push(result(`t${r}`, `c${r}`, 'bash', `${r}: def step_${r}(header_rows):\n${filler(resultChars, `out${r}`)}`));
  }
  records.push(assistant('done', 'The fix is in place; next I will run the tests.'));
  return session(records, 'You are a software engineer.');
}

const opts = (o: Partial<CompactOptions>): CompactOptions => ({ source: 'auto', strategy: 'auto', targetTokens: 2_000, counter: estimate, clock: fakeClock(), ...o });
const compacted = (r: CompactResult) => {
  assert.equal(r.status, 'compacted', r.report.reason);
  if (r.status !== 'compacted') throw new Error('unreachable');
  return r;
};
const textOfContext = (ctx: readonly ContextMessage[]) =>
  ctx.flatMap((m) => m.parts.map((p: Part) => (p.type === 'text' || p.type === 'tool_result' ? p.text : ''))).join('\n');

/** Every tool result in the context has its call in the context, before it. */
function assertPairsIntact(ctx: readonly ContextMessage[]): void {
  const calls = new Set<string>();
  for (const m of ctx) {
    for (const p of m.parts) {
      if (p.type === 'tool_call') calls.add(p.id);
      if (p.type === 'tool_result') assert.ok(calls.has(p.callId), `result ${p.callId} without its call`);
    }
  }
}

test('findSplitPoint: a single-turn agent run has no user-turn cut, but round cuts keep calls with results', () => {
  const msgs = contextOf(agentRun(10, 400)).filter((m) => m.kind === 'message'); // 22 messages, one user turn
  assert.equal(findSplitPoint(msgs, { keepTailTurns: 1, targetTailTokens: 300 }), 0, 'without round cuts: no cut at all');
  const i = findSplitPoint(msgs, { keepTailTurns: 1, targetTailTokens: 300, roundCuts: true });
  assert.ok(i > 1, `cut at ${i}`);
  assert.equal(msgs[i]?.role, 'assistant', 'the tail starts with a new round');
  assert.ok(safeCuts(msgs)[i], 'no call before the cut has its result after it');
  assert.ok(contextTokens(msgs.slice(i)) <= 300);
  const fill = findSplitPoint(msgs, { keepTailTurns: 1, targetTailTokens: 600, fill: true, roundCuts: true });
  assert.ok(fill < i && contextTokens(msgs.slice(fill)) <= 600, 'fill mode keeps the longest tail that fits');
  assert.ok(contextTokens(msgs.slice(fill - 2)) > 600, 'one more round would not fit');
});

test('auto on a single-request agent run: summary + tail cut between rounds, the task verbatim, under target', () => {
  const log = agentRun(12); // ≈ 6,600 tokens
  const r = compacted(compact(log, opts({ targetTokens: 1_800 })));
  assert.deepEqual(r.report.tiers.map((t) => t.tier), ['summarize']);
  assert.equal(r.report.withinTarget, true, `${r.report.after.tokens} > 1,800`);
  assert.ok(r.record.covered.includes('task'));
  const tail = r.context.filter((m) => m.kind === 'message');
  assert.equal(tail[0]?.role, 'assistant');
  assert.equal(tail.at(-1)?.messageId, 'done');
  assertPairsIntact(r.context);
  assert.ok(textOfContext(r.context).includes(TASK), 'the task survives byte for byte');
  assert.match(r.record.summary, /cd \/testbed && grep -n step_1 astropy\/io\/ascii\/rst\.py/, 'older commands are listed');
});

test('auto fills the budget: the kept tail takes what the summary does not need', () => {
  const log = agentRun(40, 1_200); // ≈ 13,500 tokens
  const before = contextTokens(contextOf(log));
  const target = Math.floor(before / 4);
  const r = compacted(compact(log, opts({ targetTokens: target })));
  assert.ok(r.report.after.tokens <= target, `${r.report.after.tokens} > ${target}`);
  // With the summary's larger share (SUMMARY_MAX_FRACTION_OF_ROOM 0.7) the tail is cut between fewer, whole rounds: ≥ 85 %.
  assert.ok(r.report.after.tokens >= target * 0.85, `only ${r.report.after.tokens} of ${target} used`);
  const tail = contextTokens(r.context.filter((m) => m.kind === 'message'));
  // The summary may take up to SUMMARY_MAX_FRACTION_OF_ROOM (0.7): the ledger keeps more per token than old rounds do.
  assert.ok(tail >= target * 0.2, `the verbatim tail has ${tail} tokens of ${target}`);
});

test('auto lands under a tiny target by summarizing everything, the request still quoted', () => {
  const log = session([user('u1', 'Add an MIT LICENSE file.'), call('a1', 'c1', 'bash', { command: 'touch LICENSE' }), result('t1', 'c1', 'bash', filler(2_000)), assistant('a2', filler(600))]);
  const r = compacted(compact(log, opts({ targetTokens: 200 })));
  assert.equal(r.report.withinTarget, true, `${r.report.after.tokens} > 200`);
  assert.equal(r.context.filter((m) => m.kind === 'message').length, 0);
  assert.match(r.record.summary, /^- Add an MIT LICENSE file\.$/m);
});

test('truncate pins the first request and quotes the dropped ones', () => {
  const log = codingSession(5, 2_000); // ≈ 5,400 tokens
  const r = compacted(compact(log, opts({ strategy: 'truncate', targetTokens: 1_500 })));
  assert.deepEqual(r.report.tiers.map((t) => t.tier), ['truncate']);
  assert.ok(!r.record.covered.includes('u1'), 'the first request is never dropped');
  assert.equal(r.context.find((m) => m.kind === 'message')?.messageId, 'u1');
  assert.match(r.record.summary, /User requests among them:\n- Request 2: please fix the bug in src\/mod2\.ts and do not touch package\.json/);
  assert.equal(r.report.withinTarget, true, `${r.report.after.tokens} > 1,500`);
  assertPairsIntact(r.context);
});

test('requests are quoted exactly: multi-line ones fenced, fences inside survive, parseSummary gives them back', () => {
  const requests = [TASK, 'rename `parseThing`', '````\nodd\n````'];
  const log = session(requests.flatMap((t, i) => [user(`u${i}`, t), assistant(`a${i}`, 'ok')]));
  const text = extractiveSummary({ messages: log.records as MessageRecord[] }, { budgetTokens: 4_000, counter: estimate });
  for (const t of requests) assert.ok(text.includes(t), `quoted: ${t.slice(0, 20)}`);
  assert.ok(quoteRequest(TASK).startsWith('````\n'), 'the fence is longer than the backtick run inside');
  assert.deepEqual(parseSummary(text).userRequests, requests);
  const again = extractiveSummary({ messages: [user('u9', 'and now the docs'), assistant('a9', 'ok')] as MessageRecord[], previousSummary: text }, { budgetTokens: 4_000, counter: estimate });
  assert.deepEqual(parseSummary(again).userRequests, [...requests, 'and now the docs'], 'a merged summary keeps them exact');
});

test('a huge first request is condensed (its head kept, the cut marked) while the latest stays whole', () => {
  const demo = `DEMONSTRATION START\n${filler(20_000, 'demo')}\nDEMONSTRATION END`;
  const log = session([user('u1', demo), assistant('a1', 'ok'), user('u2', TASK), assistant('a2', 'working')]);
  const text = extractiveSummary({ messages: log.records as MessageRecord[] }, { budgetTokens: 2_000, counter: estimate });
  assert.ok(text.includes(TASK));
  assert.match(text, /DEMONSTRATION START\ndemo demo[^\n]*\n\[…\]/);
  assert.ok(estimate.countText(text) <= 2_000);
});
