/**
 * A scripted Summarizer for the pipeline tests: each call takes the next step
 * (an answer, a response with usage, an error to throw, or a function of the
 * request) and records the request, so tests can read what the model was sent.
 */
import type { Sleep, SummarizeRequest, SummarizeResponse, Summarizer } from '../../../src/compaction/llm/summarizer';

export type Step = string | SummarizeResponse | Error | ((request: SummarizeRequest) => Promise<SummarizeResponse> | SummarizeResponse);

export interface ScriptedSummarizer extends Summarizer {
  requests: SummarizeRequest[];
  /** The text of each request (one user message per request). */
  texts(): string[];
}

export function scripted(steps: Step[], model = 'test-model'): ScriptedSummarizer {
  const requests: SummarizeRequest[] = [];
  return {
    model,
    requests,
    texts: () => requests.map((r) => r.messages.map((m) => m.text).join('\n')),
    async summarize(request) {
      requests.push(request);
      const step = steps.shift();
      if (step === undefined) throw new Error(`unexpected call ${requests.length}: the script has no more steps`);
      if (step instanceof Error) throw step;
      if (typeof step === 'string') return { text: step };
      if (typeof step === 'function') return step(request);
      return step;
    },
  };
}

/** A summary in the shape the prompt asks for, with a scratchpad to strip. */
export function modelAnswer(body = '## Primary request and intent\n- Fix the bugs in src/mod*.ts\n\n## Current work\n- Fixing mod5'): string {
  return `<analysis>\nSCRATCHPAD: walking through the conversation\n</analysis>\n\n<summary>\n${body}\n</summary>`;
}

/** A sleep that returns at once and remembers the pauses asked for. */
export function instantSleep(): Sleep & { pauses: number[] } {
  const pauses: number[] = [];
  return Object.assign(async (ms: number) => {
    pauses.push(ms);
  }, { pauses });
}
