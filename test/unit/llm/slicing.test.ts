/**
 * The LLM pipeline in time slices (the extension host passes a slicer): the
 * same result as in one go, a cancellation during a yield still stops it, and
 * the up-front drop of rounds (linear while the rounds alone are over the
 * window) drops exactly what the one-round-at-a-time loop with the marker did.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SUMMARY_PROMPT_RESERVE_TOKENS } from '../../../src/compaction/llm/llmConstants';
import { type LlmCompactOptions, summarizeCompaction } from '../../../src/compaction/llm/pipeline';
import { instructionPrompt, requestSummary } from '../../../src/compaction/llm/request';
import { droppedMarker, type Round } from '../../../src/compaction/llm/transcript';
import type { TimeSlicer } from '../../../src/compaction/timeSlicer';
import { codingSession, estimate, fakeClock } from '../compaction/fixtures';
import { instantSleep, modelAnswer, scripted, type ScriptedSummarizer } from './helpers';

const opts = (summarizer: ScriptedSummarizer, o: Partial<LlmCompactOptions> = {}): LlmCompactOptions => ({
  source: 'manual', summarizer, counter: estimate, clock: fakeClock(), signal: new AbortController().signal,
  targetTokens: 3_000, summarizerMaxInputTokens: 100_000, keepTailTurns: 1, sleep: instantSleep(), id: 'cmp', ...o,
});

/** A slicer whose slices always end; `onYield` runs at each turn. */
function everyStep(onYield: (n: number) => void = () => undefined): TimeSlicer & { yields: number } {
  const s = {
    yields: 0,
    due: () => true,
    async yield() {
      s.yields++;
      onYield(s.yields);
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
  return s;
}

test('sliced, the pipeline yields between its steps and returns what it returns in one go', async () => {
  const slicer = everyStep();
  const sliced = await summarizeCompaction(codingSession(6, 2_000), opts(scripted([modelAnswer()]), { slicer, summarizerMaxInputTokens: 4_500 }));
  const whole = await summarizeCompaction(codingSession(6, 2_000), opts(scripted([modelAnswer()]), { summarizerMaxInputTokens: 4_500 }));
  assert.equal(sliced.status, 'compacted');
  assert.deepEqual(sliced, whole);
  assert.ok(slicer.yields >= 10, `${slicer.yields} yields`);
});

test('a cancellation during a yield stops the pipeline before the model is asked', async () => {
  for (const at of [1, 3, 6, 9]) {
    const controller = new AbortController();
    const model = scripted([modelAnswer()]);
    const slicer = everyStep((n) => {
      if (n === at) controller.abort();
    });
    const r = await summarizeCompaction(codingSession(6, 2_000), opts(model, { slicer, signal: controller.signal }));
    assert.equal(r.status, 'aborted', `aborted at yield ${at}`);
    assert.equal(model.requests.length, 0);
  }
});

/** The up-front drop as it was: one round at a time, the marker built on every step. */
function dropOneByOne(rounds: readonly Round[], room: number): number {
  const kept = [...rounds];
  const dropped: Round[] = [];
  const markerTokens = () => (dropped.length > 0 ? estimate.countText(droppedMarker(dropped, estimate)) : 0);
  while (kept.length > 1 && kept.reduce((s, r) => s + r.tokens, 0) + markerTokens() > room) dropped.push(...kept.splice(0, 1));
  return dropped.length;
}

test('the up-front drop leaves out exactly the rounds the one-by-one loop did', async () => {
  let seed = 7;
  const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  const prompt = instructionPrompt('full', undefined, []);
  for (let trial = 0; trial < 40; trial++) {
    const rounds: Round[] = Array.from({ length: 5 + Math.floor(random() * 60) }, (_, i) => {
      const requests = random() < 0.4 ? [`Request ${i}: ${'please fix the parser '.repeat(1 + Math.floor(random() * 30))}`] : [];
      const tokens = 1 + Math.floor(random() * 400);
      return { text: `round ${i} `.repeat(tokens), tokens, requests };
    });
    const total = rounds.reduce((s, r) => s + r.tokens, 0);
    const window = estimate.countText(prompt) + SUMMARY_PROMPT_RESERVE_TOKENS + Math.floor(random() * total * 1.2);
    const model = scripted([modelAnswer()]);
    const outcome = await requestSummary({
      rounds, scope: 'full', instructions: [], summarizer: model, counter: estimate, signal: new AbortController().signal,
      sleep: instantSleep(), maxInputTokens: window, maxOutputTokens: 1_000, slicer: everyStep(),
    });
    const room = window - estimate.countText(prompt) - SUMMARY_PROMPT_RESERVE_TOKENS;
    assert.equal(outcome.attempts.droppedRounds, dropOneByOne(rounds, room), `trial ${trial}: ${rounds.length} rounds, room ${room}`);
  }
});
