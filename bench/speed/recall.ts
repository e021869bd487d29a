/**
 * Recall on a long session: the search (src/compaction/recall) over a
 * synthetic 1M-token session built from the corpus, as a ratio to
 * JSON.stringify of the same log in the same run (the baseline the
 * compaction figures use), recall by id, and the longest stall of the
 * time-sliced search the extension host runs (target ≤ STALL_MAX_MS).
 */
import { recallById, searchSession, searchSessionInSlices } from '../../src/compaction/recall';
import type { MessageRecord } from '../../src/compaction/records';
import { createTimeSlicer } from '../../src/compaction/timeSlicer';
import { syntheticSession, storedTokens } from './corpus';
import { STALL_MAX_MS } from './extensionHost';
import { interleave, median, round, timeOnce } from './stats';

export const RECALL_SESSION_TOKENS = 1_000_000;
/** Queries of the kinds a model asks: words, an error name, an identifier's parts. */
export const RECALL_QUERIES = ['time zone offset', 'TypeError', 'parse date function'] as const;

export interface RecallBenchResult {
  tokens: number;
  messages: number;
  searchMedianMs: number;
  stringifyMedianMs: number;
  /** Search time ÷ JSON.stringify(log) time, per-run median. */
  vsStringify: number;
  byIdMedianMs: number;
  slicedLongestStallMs: number;
  /** The same measure while nothing runs: how much of the stall is the machine's load. */
  idleLongestGapMs: number;
  meetsStallTarget: boolean;
}

export async function benchRecall(corpus: readonly MessageRecord[], runs: number): Promise<RecallBenchResult> {
  const log = syntheticSession(corpus, RECALL_SESSION_TOKENS);
  const ids = log.records.flatMap((r) => (r.type === 'message' ? r.parts.flatMap((p) => (p.type === 'tool_result' ? [p.callId] : [])) : []));
  const lastId = ids[ids.length - 1] ?? '';
  let q = 0;
  const times = interleave([
    { name: 'search', measure: () => timeOnce(() => searchSession(log, RECALL_QUERIES[q++ % RECALL_QUERIES.length]!)) },
    { name: 'stringify', measure: () => timeOnce(() => JSON.stringify(log)) },
    { name: 'byId', measure: () => timeOnce(() => recallById(log, lastId)) },
  ], runs);
  const search = times.get('search')!;
  const stringify = times.get('stringify')!;
  // The event loop's longest wait while the sliced search runs (what the extension host does), and, as the noise
  // floor of a shared machine, while it runs nothing for as long.
  const started = performance.now();
  const sliced = await longestGap(() => searchSessionInSlices(log, RECALL_QUERIES[0], {}, createTimeSlicer()));
  const slicedMs = performance.now() - started;
  const idle = await longestGap(() => new Promise<void>((resolve) => setTimeout(resolve, slicedMs)));
  const ratios = search.map((s, i) => s / Math.max(1e-6, stringify[i] ?? 1));
  return {
    tokens: storedTokens(log),
    messages: log.records.length,
    searchMedianMs: round(median(search), 1),
    stringifyMedianMs: round(median(stringify), 1),
    vsStringify: round(median(ratios), 2),
    byIdMedianMs: round(median(times.get('byId')!), 2),
    slicedLongestStallMs: round(sliced, 1),
    idleLongestGapMs: round(idle, 1),
    meetsStallTarget: sliced <= STALL_MAX_MS,
  };
}

/** The longest time between two turns of the event loop while `work` runs. */
async function longestGap(work: () => Promise<unknown>): Promise<number> {
  let longest = 0;
  let last = performance.now();
  let done = false;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  done = true;
  return longest;
}
