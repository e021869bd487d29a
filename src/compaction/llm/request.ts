/**
 * One summary from the model: builds the request (transcript + instructions),
 * keeps it within the summarizer's window, and handles the model's failures:
 *
 * - prompt too long: drop the oldest rounds (enough to cover the reported gap,
 *   else PROMPT_TOO_LONG_DROP_FRACTION of them) behind a marker and retry, at
 *   most PROMPT_TOO_LONG_MAX_RETRIES times;
 * - transient: retry after an exponential backoff (injected sleep), at most
 *   TRANSIENT_MAX_RETRIES times;
 * - model error, empty answer, an API error echoed as text: no retry;
 * - aborted: stop at once.
 *
 * Never throws for a model failure: the outcome names it, the caller decides.
 */
import { NO_SLICING, pause, type TimeSlicer } from '../timeSlicer';
import type { TokenCounter } from '../types';
import {
  PROMPT_TOO_LONG_DROP_FRACTION, PROMPT_TOO_LONG_MAX_RETRIES, SUMMARY_PROMPT_RESERVE_TOKENS, TRANSIENT_BACKOFF_BASE_MS, TRANSIENT_BACKOFF_MAX_MS,
  TRANSIENT_MAX_RETRIES,
} from './llmConstants';
import { render } from './prompts';
import { type Sleep, type Summarizer, type SummarizerMessage, isSummarizerError } from './summarizer';
import { checkSummary } from './summaryText';
import { droppedMarker, type Round, transcriptText } from './transcript';
import { errorMessage } from '../errors';

export type Scope = 'full' | 'upto' | 'from';

export interface SummaryRequestInput {
  /** The transcript's rounds, oldest first. */
  rounds: readonly Round[];
  scope: Scope;
  /** The summary being updated (without our marker). */
  previousSummary?: string;
  /** Custom instructions, in priority order (the user's first, then the hooks'). */
  instructions: readonly string[];
  /** The artifact ledger of the summarized messages, rendered (ground truth for the model). */
  ledger?: string;
  summarizer: Summarizer;
  counter: TokenCounter;
  signal: AbortSignal;
  sleep: Sleep;
  /** The summarizer's input window. */
  maxInputTokens: number;
  maxOutputTokens: number;
  /** Gives the event loop a turn between steps (see LlmCompactOptions.slicer). */
  slicer?: TimeSlicer;
}

export interface SummaryAttempts {
  /** Retries after "prompt too long". */
  promptTooLong: number;
  /** Retries after transient failures. */
  transient: number;
  /** Rounds left out of the transcript (to fit the window up front, or after "too long"). */
  droppedRounds: number;
  /** Calls made to the model. */
  calls: number;
}

export type ModelFailure = 'prompt_too_long' | 'transient' | 'model_error' | 'empty_summary';

export type SummaryOutcome =
  | {
      ok: true;
      text: string;
      /** Provider-reported usage of the successful call, when reported. */
      inputTokens?: number;
      outputTokens?: number;
      /** The same, counted with the injected counter (for when the provider reports nothing). */
      countedInputTokens: number;
      countedOutputTokens: number;
      attempts: SummaryAttempts;
    }
  | { ok: false; failure: ModelFailure | 'aborted'; reason: string; attempts: SummaryAttempts };

/** The instruction part of the request (everything but the transcript); `ledger`: the artifact ledger as text (ground truth). */
export function instructionPrompt(scope: Scope, previousSummary: string | undefined, instructions: readonly string[], ledger?: string): string {
  const custom = instructions.map((t) => t.trim()).filter((t) => t !== '');
  return render('summary', {
    scope: render(`scope-${scope}`).trim(),
    ledger: ledger?.trim() ? render('ledger', { ledger: ledger.trim() }) : '',
    update: previousSummary ? render('update', { previousSummary }) : '',
    custom: custom.length > 0 ? render('custom', { instructions: custom.map((t) => `- ${t.replace(/\n/g, '\n  ')}`).join('\n') }) : '',
  }).trim();
}

export function backoffMs(retry: number): number {
  return Math.min(TRANSIENT_BACKOFF_MAX_MS, TRANSIENT_BACKOFF_BASE_MS * 2 ** retry);
}

export async function requestSummary(input: SummaryRequestInput): Promise<SummaryOutcome> {
  const { counter, signal } = input;
  const slicer = input.slicer ?? NO_SLICING;
  const prompt = instructionPrompt(input.scope, input.previousSummary, input.instructions, input.ledger);
  const attempts: SummaryAttempts = { promptTooLong: 0, transient: 0, droppedRounds: 0, calls: 0 };
  const kept = [...input.rounds];
  const dropped: Round[] = [];
  const drop = (n: number) => {
    dropped.push(...kept.splice(0, Math.min(n, kept.length - 1)));
    attempts.droppedRounds = dropped.length;
  };
  const markerTokens = () => (dropped.length > 0 ? counter.countText(droppedMarker(dropped, counter)) : 0);
  const keptTokens = () => kept.reduce((s, r) => s + r.tokens, 0);

  // Up front: what cannot fit the summarizer's window is dropped, oldest first (at least one round stays).
  // While the kept rounds alone are over the room, the marker (never negative) cannot make them fit:
  // drop without building it (linear), then check with the marker as the rounds get close.
  const room = input.maxInputTokens - counter.countText(prompt) - SUMMARY_PROMPT_RESERVE_TOKENS;
  let keptSum = keptTokens();
  while (kept.length > 1 && keptSum > room) {
    keptSum -= kept[0]?.tokens ?? 0;
    drop(1);
  }
  await pause(slicer);
  while (kept.length > 1 && keptTokens() + markerTokens() > room) drop(1);

  const fail = (failure: ModelFailure | 'aborted', reason: string): SummaryOutcome => ({ ok: false, failure, reason, attempts });
  for (;;) {
    await pause(slicer);
    if (signal.aborted) return fail('aborted', 'cancelled');
    const marker = dropped.length > 0 ? droppedMarker(dropped, counter) : undefined;
    const messages: SummarizerMessage[] = [{ role: 'user', text: `${transcriptText(kept, marker)}\n\n${prompt}` }];
    await pause(slicer);
    if (signal.aborted) return fail('aborted', 'cancelled');
    attempts.calls++;
    try {
      const response = await input.summarizer.summarize({ messages, maxOutputTokens: input.maxOutputTokens, signal });
      if (signal.aborted) return fail('aborted', 'cancelled');
      const checked = checkSummary(response.text);
      if (!checked.ok) {
        return fail('empty_summary', checked.problem === 'empty' ? `the summary was empty (${checked.detail})` : `the model answered with an error instead of a summary: ${checked.detail}`);
      }
      return {
        ok: true,
        text: checked.text,
        countedInputTokens: counter.countText(messages[0]?.text ?? ''),
        countedOutputTokens: counter.countText(response.text),
        ...(response.inputTokens !== undefined ? { inputTokens: response.inputTokens } : {}),
        ...(response.outputTokens !== undefined ? { outputTokens: response.outputTokens } : {}),
        attempts,
      };
    } catch (err) {
      if (signal.aborted || (isSummarizerError(err) && err.kind === 'aborted')) return fail('aborted', 'cancelled');
      const message = errorMessage(err);
      if (!isSummarizerError(err) || err.kind === 'model_error') return fail('model_error', `the model failed: ${message}`);
      if (err.kind === 'transient') {
        if (attempts.transient >= TRANSIENT_MAX_RETRIES) return fail('transient', `the model kept failing after ${attempts.transient} retries: ${message}`);
        await input.sleep(backoffMs(attempts.transient), signal);
        attempts.transient++;
        continue;
      }
      // prompt_too_long
      if (attempts.promptTooLong >= PROMPT_TOO_LONG_MAX_RETRIES || kept.length <= 1) {
        return fail('prompt_too_long', `the summary request was still too long for the model after dropping ${dropped.length} of ${input.rounds.length} rounds (${attempts.promptTooLong} retries)`);
      }
      attempts.promptTooLong++;
      if (err.gapTokens !== undefined && err.gapTokens > 0) {
        let covered = 0;
        let n = 0;
        while (n < kept.length - 1 && covered < err.gapTokens) covered += kept[n++]?.tokens ?? 0;
        drop(Math.max(1, n));
      } else {
        drop(Math.max(1, Math.ceil(kept.length * PROMPT_TOO_LONG_DROP_FRACTION)));
      }
    }
  }
}
