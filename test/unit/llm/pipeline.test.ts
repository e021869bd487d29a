import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf, contextTokens } from '../../../src/compaction/context';
import { RECALL_SUMMARY_NOTE } from '../../../src/compaction/constants';
import { SUMMARY_MARKER } from '../../../src/compaction/llm/llmConstants';
import { type LlmCompactOptions, summarizeCompaction } from '../../../src/compaction/llm/pipeline';
import { SummarizerError } from '../../../src/compaction/llm/summarizer';
import type { SessionLog } from '../../../src/compaction/records';
import { SUMMARY_TITLE } from '../../../src/compaction/tiers/extractive';
import type { CompactResult } from '../../../src/compaction/types';
import { assistant, call, codingSession, estimate, fakeClock, filler, message, result, session, user } from '../compaction/fixtures';
import { instantSleep, modelAnswer, scripted, type ScriptedSummarizer } from './helpers';

// codingSession(6, 2_000): 36 messages, ≈ 6,400 estimated tokens; with keepTailTurns 1 the last turn (≈ 1,060) stays verbatim.
const opts = (summarizer: ScriptedSummarizer, o: Partial<LlmCompactOptions> = {}): LlmCompactOptions => ({
  source: 'manual', summarizer, counter: estimate, clock: fakeClock(), signal: new AbortController().signal,
  targetTokens: 3_000, summarizerMaxInputTokens: 100_000, keepTailTurns: 1, sleep: instantSleep(), ...o,
});
const compacted = (r: CompactResult) => {
  assert.equal(r.status, 'compacted', r.report.reason);
  if (r.status !== 'compacted') throw new Error('unreachable');
  return r;
};
const apply = (log: SessionLog, r: CompactResult): SessionLog => ({ ...log, records: [...log.records, compacted(r).record] });

test('happy path: the model summary replaces the older turns, marked, with the tail verbatim and a consistent record', async () => {
  const log = codingSession(6, 2_000);
  const model = scripted([{ text: modelAnswer(), inputTokens: 4_321, outputTokens: 99 }]);
  const r = compacted(await summarizeCompaction(log, opts(model, { effectiveWindow: 10_000 })));
  assert.equal(r.record.strategy, 'llm');
  assert.equal(r.report.strategy, 'llm');
  assert.ok(r.record.summary.startsWith(`${SUMMARY_MARKER}\n${RECALL_SUMMARY_NOTE}\n## Primary request and intent`), r.record.summary);
  assert.equal(r.record.summaryTokens, estimate.countParts([{ type: 'text', text: r.record.summary }]));
  assert.ok(r.record.covered.includes('u1') && r.record.covered.includes('a5c') && !r.record.covered.includes('u6'));
  assert.deepEqual(r.report.tiers.map((t) => t.tier), ['mask', 'summarize']);
  assert.equal(r.report.tiers.find((t) => t.tier === 'summarize')?.count, 30);
  assert.equal(r.record.model, 'test-model');
  assert.equal(r.report.model, 'test-model');
  assert.ok(r.report.after.tokens < r.report.before.tokens);
  assert.equal(r.report.before.tokens, contextTokens(contextOf(log, estimate)));
  assert.deepEqual(contextOf(apply(log, r), estimate), r.context, 'the returned context is the fold of log + record');
  assert.equal(r.report.after.utilisation, r.report.after.tokens / 10_000);
  assert.equal(r.report.fallback, undefined);
  assert.equal(model.requests.length, 1);
});

test('the analysis scratchpad is stripped from the stored summary', async () => {
  const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(scripted([modelAnswer()]))));
  assert.ok(!r.record.summary.includes('SCRATCHPAD'), r.record.summary);
  assert.ok(!/<\/?(analysis|summary)>/.test(r.record.summary), r.record.summary);
});

test('input hygiene: images and documents become placeholders, thinking is left out, old tool results are sent as stubs', async () => {
  const log = codingSession(6, 2_000);
  log.records.unshift(
    message('img', 'user', [{ type: 'text', text: 'Look at this screenshot' }, { type: 'image', mimeType: 'image/png', ref: 'file:///secret/shot.png' }, { type: 'document', name: 'spec.pdf' }]),
    message('think', 'assistant', [{ type: 'thinking', text: 'PRIVATE-THOUGHTS' }, { type: 'text', text: 'I see the screenshot.' }]),
  );
  const model = scripted([modelAnswer()]);
  compacted(await summarizeCompaction(log, opts(model, { maskAfterTurns: 2 })));
  const sent = model.texts()[0] ?? '';
  assert.ok(sent.includes('Look at this screenshot\n[image]\n[document]'), sent.slice(0, 400));
  assert.ok(!sent.includes('shot.png') && !sent.includes('PRIVATE-THOUGHTS'));
  assert.match(sent, /\[tool result masked: read_file/, 'old results reach the model as stubs');
  assert.ok(!sent.includes('code1 code1 code1'), 'the masked result text is not sent');
  assert.match(sent, /<transcript>[\s\S]*<\/transcript>[\s\S]*<analysis>/, 'transcript first, then the instructions');
});

test('the summary request is kept within the summarizer window: oldest rounds dropped up front, behind a marker', async () => {
  const model = scripted([modelAnswer()]);
  const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model, { summarizerMaxInputTokens: 4_500, maskAfterTurns: 10 })));
  const sent = model.texts()[0] ?? '';
  assert.ok(estimate.countText(sent) <= 4_500, `sent ${estimate.countText(sent)} tokens`);
  assert.ok((r.report.summarizer?.droppedRounds ?? 0) > 0);
  assert.match(sent, /earlier rounds \([\d,]+ tokens\) were left out/);
  assert.ok(sent.includes('Request 1: please fix'), 'the dropped user requests are quoted in the marker');
});

for (const failures of [1, 2, 3]) {
  test(`prompt too long ${failures}×: the oldest rounds are dropped and the request retried, then the model's summary is used`, async () => {
    const tooLong = () => new SummarizerError('prompt_too_long', 'prompt is too long');
    const model = scripted([...Array.from({ length: failures }, tooLong), modelAnswer()]);
    const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model)));
    assert.equal(r.record.strategy, 'llm');
    assert.equal(model.requests.length, failures + 1);
    assert.equal(r.report.summarizer?.promptTooLongRetries, failures);
    const sizes = model.texts().map((t) => t.length);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i]! < sizes[i - 1]!, `request ${i + 1} is shorter than request ${i}`);
    assert.match(model.texts()[failures] ?? '', /were left out of this transcript because the summary request was too long/);
    assert.ok(r.record.covered.includes('u1'), 'dropped rounds are still covered by the summary record');
  });
}

test('prompt too long 4×: after 3 retries the extractive summary is used and the report says so', async () => {
  const tooLong = () => new SummarizerError('prompt_too_long', 'prompt is too long');
  const model = scripted([tooLong(), tooLong(), tooLong(), tooLong()]);
  const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model)));
  assert.equal(model.requests.length, 4);
  assert.equal(r.report.fallback, true);
  assert.match(r.report.fallbackReason ?? '', /still too long/);
  assert.equal(r.report.summarizer?.failure, 'prompt_too_long');
  assert.equal(r.record.strategy, 'extractive');
  assert.ok(r.record.summary.startsWith(SUMMARY_TITLE), 'the extractive summary');
  assert.ok(!r.record.summary.includes(SUMMARY_MARKER));
});

test('a reported gap drops just enough rounds to cover it (not 20%)', async () => {
  const gap = new SummarizerError('prompt_too_long', 'prompt is too long: 5000 > 4900', 100);
  const model = scripted([gap, modelAnswer()]);
  const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model, { maskAfterTurns: 10 })));
  assert.equal(r.report.summarizer?.droppedRounds, 1, 'one round (> 100 tokens) covers the gap');
  const bigGap = new SummarizerError('prompt_too_long', 'way too long', 3_000);
  const model2 = scripted([bigGap, modelAnswer()]);
  const r2 = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model2, { maskAfterTurns: 10 })));
  assert.ok((r2.report.summarizer?.droppedRounds ?? 0) >= 5, `dropped ${r2.report.summarizer?.droppedRounds}`);
  const [first, second] = model2.texts().map((t) => estimate.countText(t));
  assert.ok(first! - second! >= 3_000 - 200, `shrank by ${first! - second!} tokens (the marker adds a little)`);
});

const rejected: Array<[string, string, string]> = [
  ['an empty answer', '', 'empty'],
  ['only the analysis', '<analysis>I was about to write it</analysis>', 'empty'],
  ['"Error:" text', 'Error: 529 overloaded_error', 'error instead of a summary'],
  ['"API Error" text', 'API Error: Request failed with status 400', 'error instead of a summary'],
  ['a JSON error object', '{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}', 'error instead of a summary'],
];
for (const [name, answer, reason] of rejected) {
  test(`${name} is rejected: no retry, extractive fallback, named in the report`, async () => {
    const model = scripted([answer]);
    const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model)));
    assert.equal(model.requests.length, 1);
    assert.equal(r.report.fallback, true);
    assert.equal(r.report.summarizer?.failure, 'empty_summary');
    assert.match(r.report.fallbackReason ?? '', new RegExp(reason));
    assert.ok(r.record.summary.startsWith(SUMMARY_TITLE));
    if (answer) assert.ok(!r.record.summary.includes(answer));
  });
}

test('an inflated summary (not smaller than what it replaces) is rejected for the extractive one', async () => {
  const log = codingSession(6, 2_000);
  const huge = modelAnswer(`## Primary request and intent\n${'- padding padding padding\n'.repeat(2_000)}`);
  const r = compacted(await summarizeCompaction(log, opts(scripted([huge]))));
  assert.equal(r.report.summarizer?.failure, 'inflated');
  assert.match(r.report.fallbackReason ?? '', /not smaller than what it replaces/);
  assert.ok(!r.record.summary.includes('padding padding'));
  assert.ok(r.report.after.tokens < r.report.before.tokens);
});

test('a model error is not retried and falls back', async () => {
  const model = scripted([new SummarizerError('model_error', 'Blocked by policy')]);
  const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model)));
  assert.equal(model.requests.length, 1);
  assert.equal(r.report.summarizer?.failure, 'model_error');
  assert.match(r.report.fallbackReason ?? '', /Blocked by policy/);
});

test('transient failures are retried with exponential backoff, at most 3 times', async () => {
  const transient = () => new SummarizerError('transient', 'rate limited');
  const sleep = instantSleep();
  const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(scripted([transient(), transient(), modelAnswer()]), { sleep })));
  assert.deepEqual(sleep.pauses, [1_000, 2_000]);
  assert.equal(r.report.summarizer?.transientRetries, 2);
  assert.equal(r.record.strategy, 'llm');

  const sleep2 = instantSleep();
  const model = scripted([transient(), transient(), transient(), transient()]);
  const r2 = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model, { sleep: sleep2 })));
  assert.deepEqual(sleep2.pauses, [1_000, 2_000, 4_000]);
  assert.equal(model.requests.length, 4);
  assert.equal(r2.report.summarizer?.failure, 'transient');
  assert.equal(r2.report.fallback, true);
});

test('cancellation during the model call returns aborted, leaves the log unchanged and appends nothing', async () => {
  const log = codingSession(6, 2_000);
  const snapshot = structuredClone(log);
  const controller = new AbortController();
  const model = scripted([
    () => {
      controller.abort();
      throw new SummarizerError('aborted', 'cancelled');
    },
  ]);
  const r = await summarizeCompaction(log, opts(model, { signal: controller.signal }));
  assert.equal(r.status, 'aborted');
  assert.ok(!('record' in r));
  assert.match(r.report.reason ?? '', /unchanged/);
  assert.deepEqual(log, snapshot);
});

test('cancellation during a backoff pause stops the retries', async () => {
  const controller = new AbortController();
  const model = scripted([new SummarizerError('transient', 'overloaded'), modelAnswer()]);
  const sleep = async () => controller.abort();
  const r = await summarizeCompaction(codingSession(6, 2_000), opts(model, { signal: controller.signal, sleep }));
  assert.equal(r.status, 'aborted');
  assert.equal(model.requests.length, 1, 'no call after the cancel');
});

test('an already cancelled signal never calls the model', async () => {
  const controller = new AbortController();
  controller.abort();
  const model = scripted([modelAnswer()]);
  const r = await summarizeCompaction(codingSession(6, 2_000), opts(model, { signal: controller.signal }));
  assert.equal(r.status, 'aborted');
  assert.equal(model.requests.length, 0);
});

test('custom instructions are merged, the user first, then the hooks, in order', async () => {
  const model = scripted([modelAnswer()]);
  const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model, { instructions: 'USER: focus on the parser', hookInstructions: ['HOOK-A: keep ticket ids', '', 'HOOK-B: list open PRs'] })));
  const sent = model.texts()[0] ?? '';
  const [u, a, b] = ['USER: focus', 'HOOK-A', 'HOOK-B'].map((s) => sent.indexOf(s));
  assert.ok(u! > sent.indexOf('</transcript>') && u! < a! && a! < b!, `positions ${u} ${a} ${b}`);
  assert.match(sent, /Additional instructions[^\n]*first ones win/);
  assert.equal(r.record.instructions, 'USER: focus on the parser');
});

test('a second compaction updates the previous summary (handed to the model), never nests it', async () => {
  const log = codingSession(6, 2_000);
  const first = compacted(await summarizeCompaction(log, opts(scripted([modelAnswer('## Primary request and intent\n- FIRST-FACT')]))));
  const log2 = apply(log, first);
  for (let t = 7; t <= 9; t++) {
    log2.records.push(user(`u${t}`, `Request ${t}: ${'more work '.repeat(120)}`), assistant(`a${t}`, `Done ${t}. ${'details '.repeat(120)}`));
  }
  const model = scripted([modelAnswer('## Primary request and intent\n- FIRST-FACT\n- SECOND-FACT')]);
  const second = compacted(await summarizeCompaction(log2, opts(model, { targetTokens: 1_500 })));
  const sent = model.texts()[0] ?? '';
  // The first answer kept none of the tracked facts: they were added back after it (the fidelity check).
  assert.match(sent, /<previous_summary>\n## Primary request and intent\n- FIRST-FACT\n\n## Kept from the log[^\n]*\n[\s\S]*<\/previous_summary>/);
  assert.ok(!sent.includes(SUMMARY_MARKER), 'the marker is stripped before the model sees the summary');
  assert.ok(!/<transcript>[\s\S]*FIRST-FACT[\s\S]*<\/transcript>/.test(sent), 'the previous summary is not part of the transcript');
  assert.equal(second.record.summary.split(SUMMARY_MARKER).length - 1, 1, 'one marker: one summary');
  for (const id of first.record.covered) assert.ok(second.record.covered.includes(id), `covered stays cumulative (${id})`);
  assert.ok(second.record.covered.includes('u6'));
  assert.equal(second.context.filter((m) => m.kind === 'summary').length, 1);
});

test('partial compaction up to a message sends only that side and says so', async () => {
  const log = codingSession(6, 2_000);
  const model = scripted([modelAnswer()]);
  const r = compacted(await summarizeCompaction(log, opts(model, { source: 'partial', partial: { upto: 'u3' } })));
  assert.deepEqual(r.record.covered, log.records.slice(0, 12).map((m) => (m as { id: string }).id));
  assert.match(model.texts()[0] ?? '', /up to a message the user chose/);
  assert.ok(!(model.texts()[0] ?? '').includes('Request 3:'));
});

test('partial compaction from a message uses the "from" scope', async () => {
  const model = scripted([modelAnswer()]);
  const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(model, { source: 'partial', partial: { from: 'u5' } })));
  assert.ok(r.record.covered.includes('u6') && !r.record.covered.includes('u4'));
  assert.match(model.texts()[0] ?? '', /from a message the user chose on/);
});

test('report: re-trigger flag against the auto-compact threshold, and counted usage when the provider reports none', async () => {
  const r = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(scripted([modelAnswer()]), { autoCompactTokens: 100 })));
  assert.equal(r.report.retriggersAutoCompact, true);
  assert.equal(r.report.summarizer?.usageReported, false);
  assert.ok((r.report.summarizer?.inputTokens ?? 0) > 1_000, 'counted input');
  assert.equal(r.report.summarizer?.outputTokens, estimate.countText(modelAnswer()));
  const r2 = compacted(await summarizeCompaction(codingSession(6, 2_000), opts(scripted([modelAnswer()]), { autoCompactTokens: 5_000 })));
  assert.equal(r2.report.retriggersAutoCompact, false);
});

test('nothing to summarize: a session shorter than the kept tail is left alone without calling the model', async () => {
  const model = scripted([modelAnswer()]);
  const r = await summarizeCompaction(session([user('u1', 'hello'), assistant('a1', 'hi')]), opts(model));
  assert.equal(r.status, 'nothing_to_compact');
  assert.equal(model.requests.length, 0);
});

test('a one-request agent run (every message in one turn) is summarized by the model up to its recent tool rounds, which stay verbatim', async () => {
  const records = [user('task', 'Fix the time-zone bug in dueBy and prove it with tests.')];
  for (let r = 1; r <= 12; r++) {
    records.push(call(`a${r}`, `c${r}`, 'runInTerminal', { command: `npm test -- step${r}` }, `Round ${r}.`));
    records.push(result(`t${r}`, `c${r}`, 'runInTerminal', filler(1_600, `out${r}`)));
  }
  const log = session(records);
  const model = scripted([modelAnswer()]);
  const r = compacted(await summarizeCompaction(log, opts(model)));
  assert.equal(r.record.strategy, 'llm', 'the model wrote the summary (no fallback to the deterministic tiers)');
  assert.equal(model.requests.length, 1);
  const kept = r.context.map((m) => m.messageId).filter((id) => id !== undefined);
  assert.ok(kept.includes('a12') && kept.includes('t12'), `the latest round stays verbatim: ${kept.join(', ')}`);
  assert.ok(r.record.covered.includes('a1') && r.record.covered.includes('t1'), 'the oldest rounds are summarized');
  // A cut between rounds: every kept tool result has its call kept too.
  for (const id of kept.filter((k) => k.startsWith('t'))) assert.ok(kept.includes(`a${id.slice(1)}`), `call of ${id} kept with it`);
});
