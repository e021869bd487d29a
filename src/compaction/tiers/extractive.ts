/**
 * Tier 2 without a model: a deterministic, structured summary with the
 * sections of docs/architecture.md (Compaction), built from the log and fitted to a token
 * budget by filling sections in priority order.
 *
 * A previous summary (from the compaction being superseded) is merged, not
 * nested: its `## Section` bullets are parsed and put first in the matching
 * sections, so a summary of a summary stays one summary.
 *
 * User requests are quoted exactly: a one-line request as a bullet, a longer
 * one as a fenced block whose fence is longer than any backtick run inside,
 * so the text between the fences is the request byte for byte. The latest and
 * the first request are kept whole first (the latest up to
 * SUMMARY_LATEST_REQUEST_MAX_FRACTION of the budget; the first, when a later
 * request exists, up to SUMMARY_FIRST_REQUEST_MAX_FRACTION of it — always
 * whole when short); the others share at most
 * SUMMARY_OTHER_REQUESTS_MAX_FRACTION of it, and only a request that does not
 * fit is condensed (summaryFormat.ts condenseRequest: its head, its last line
 * and the lines with the most content words not yet kept, verbatim, `[…]`
 * where lines were left out).
 *
 * The candidates are fitted to the budget by the real counter without
 * tokenizing each (summaryFit.ts); the format and its parser are in
 * summaryFormat.ts.
 */
import { RECALL_NOTE_MIN_SUMMARY_TOKENS, RECALL_SUMMARY_NOTE, SUMMARY_FIRST_REQUEST_MAX_TOKENS, SUMMARY_SURELY_OVER_FACTOR } from '../constants';
import type { TokenCounter } from '../types';
import type { Ledger } from '../ledger';
import { extractFacts, userRequestsOf, type FactMessage, type Facts, type FactsMemo } from './extractFacts';
import { parseSummary, SECTIONS, SUMMARY_TITLE } from './summaryFormat';
import { approxWith, BULLET_LINE_TOKENS, costsFor, fitSummary, storedWith, type Candidates, type SummaryMemo } from './summaryFit';

export { parseSummary, quoteRequest, SUMMARY_TITLE, truncateMiddle } from './summaryFormat';
export { createSummaryMemo, type SummaryMemo } from './summaryFit';

export interface ExtractiveInput {
  messages: readonly FactMessage[];
  previousSummary?: string;
  instructions?: string;
  /** The ledger of `messages` when the caller built it already (buildLedgerInSlices); otherwise it is built here. */
  ledger?: Ledger;
}

export interface ExtractiveOptions {
  budgetTokens: number;
  counter: TokenCounter;
  /** Shared by the summaries of one compaction (createSummaryMemo): the messages are scanned once, texts estimated once, the estimate's error carried over. */
  memo?: SummaryMemo;
}

/** Tokens the latest request (whole) and the first (at most SUMMARY_FIRST_REQUEST_MAX_TOKENS) need; the planner sizes the summary with it. */
export function pinnedRequestTokens(input: ExtractiveInput, counter: TokenCounter, memo?: SummaryMemo): number {
  const requests = mergedRequests(input);
  const costs = costsFor(counter, storedWith(memo, counter, input.messages));
  const cost = (i: number) => costs.request(requests[i] ?? '', true);
  const last = requests.length - 1;
  if (last < 0) return 0;
  return cost(last) + (last > 0 ? Math.min(SUMMARY_FIRST_REQUEST_MAX_TOKENS, cost(0)) : 0);
}

function mergedRequests(input: ExtractiveInput): string[] {
  const previous = input.previousSummary ? (parseSummary(input.previousSummary).userRequests ?? []) : [];
  return [...previous, ...userRequestsOf(input.messages)];
}

/** The title and every candidate by section, a previous summary's first (undefined when there is nothing to summarize). */
function candidatesOf(input: ExtractiveInput, memo: FactsMemo | undefined, budgetTokens: number): Candidates | undefined {
  const facts = extractFacts(input.messages, input.instructions, memo, input.ledger);
  const previous = input.previousSummary ? parseSummary(input.previousSummary) : {};
  const items = new Map<keyof Facts, string[]>();
  for (const s of SECTIONS) {
    // Requests are never deduplicated: the same words asked twice are two requests.
    if (s.key === 'userRequests') {
      items.set(s.key, [...(previous.userRequests ?? []), ...facts.userRequests]);
      continue;
    }
    items.set(s.key, [...new Set([...(previous[s.key] ?? []), ...facts[s.key]])]);
  }
  if ([...items.values()].every((l) => l.length === 0)) return undefined;
  const header = `${SUMMARY_TITLE}\nThis summary replaces ${input.messages.length} earlier messages; the conversation continues after it. Facts below are extracted verbatim from the log; user requests are quoted exactly.${budgetTokens >= RECALL_NOTE_MIN_SUMMARY_TOKENS ? ` ${RECALL_SUMMARY_NOTE}` : ''}`;
  return { header, items };
}

/** Builds the summary text, at most `budgetTokens` by the real counter (see the file comment). Empty string when there is nothing to summarize. */
export function extractiveSummary(input: ExtractiveInput, options: ExtractiveOptions): string {
  const candidates = candidatesOf(input, options.memo?.facts, options.budgetTokens);
  return candidates ? fitSummary(candidates, input.messages, options).text : '';
}

/**
 * Tokens the summary of `input` needs, up to `budgetTokens`: its real count
 * when every candidate fits, else `budgetTokens` itself (a summary that
 * leaves something out fills its budget), without counting. The planner sizes
 * the summary with it.
 */
export function naturalSummaryTokens(input: ExtractiveInput, options: ExtractiveOptions): number {
  const budget = Math.max(0, options.budgetTokens);
  // Candidates worth several budgets by estimate (a long session): something is left out, no need to choose. The
  // requests alone often tell (no facts to extract); else every candidate is added up.
  const surelyOver = budget * SUMMARY_SURELY_OVER_FACTOR;
  const stored = storedWith(options.memo, options.counter, input.messages);
  const approx = approxWith(options.memo);
  const requestCost = (t: string) => stored(t) ?? approx(t);
  const estimating = !options.counter.estimated;
  if (estimating && mergedRequests(input).reduce((a, t) => a + requestCost(t), 0) > surelyOver) return budget;
  const candidates = candidatesOf(input, options.memo?.facts, options.budgetTokens);
  if (!candidates) return 0;
  if (estimating) {
    let total = 0;
    for (const [key, list] of candidates.items) {
      for (const item of list) {
        total += key === 'userRequests' ? requestCost(item) : approx(item) + BULLET_LINE_TOKENS;
        if (total > surelyOver) return budget;
      }
    }
  }
  const r = fitSummary(candidates, input.messages, { ...options, complete: true });
  return r.shortened ? budget : r.tokens;
}
