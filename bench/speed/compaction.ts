/**
 * Wall time and memory of deterministic compaction — each tier forced
 * (`mask`, `extractive`, `truncate`) and the planner's `auto` — on synthetic
 * sessions of 200K and 1M tokens built from corpus messages, through the
 * engine's `compact(log, options)` (planner.ts, loaded at run time so this file
 * builds while the planner is being written). Baseline, timed in the same
 * runs: `JSON.stringify(log)`, one pass that serializes every part.
 *
 * Two counter states, because the tiers re-count tool-result texts:
 * - warm: a counter that already counted every message of the session, as the
 *   server's long-lived counter has after the appends (within its cache size);
 * - cold: a fresh counter, as after a server restart or on an imported session.
 * Target: a 1M-token session compacts well under a second.
 */
import { join } from 'node:path';
import { budgetFor } from '../../src/compaction/budget';
import type { SessionLog } from '../../src/compaction/records';
import type { CompactFn } from '../../src/compaction/server/engineService';
import { createTokenCounter } from '../../src/compaction/tokens/counter';
import type { Strategy, TokenCounter } from '../../src/compaction/types';
import { storedTokens, syntheticSession } from './corpus';
import type { MessageRecord } from '../../src/compaction/records';
import { collectGarbage, interleave, median, pairedRatio, round, timeOnce } from './stats';

export const COMPACTION_SIZES = [200_000, 1_000_000] as const;
export const STRATEGIES: readonly Strategy[] = ['mask', 'extractive', 'truncate', 'auto'];
/** "Well under a second": the bar we hold the 1M-token compaction to. */
export const COMPACT_1M_MAX_MS = 500;

export interface CompactionRow {
  strategy: Strategy;
  size: number;
  counter: 'warm' | 'cold';
  status: string;
  tokensBefore: number;
  tokensAfter: number;
  /** Median ms, this machine. */
  medianMs: number;
  /** Median over runs of (compaction ms / JSON.stringify(log) ms). */
  vsStringify: number;
  /** Heap retained by the result (after GC), MB. Warm counter only. */
  retainedHeapMB?: number;
  /** Heap in use right after the call minus before it (no GC in between; a lower bound of the peak), MB. Warm counter only. */
  heapAfterCallMB?: number;
}

export interface CompactionResult {
  available: boolean;
  reason?: string;
  runs: number;
  coldRuns: number;
  sessions: Array<{ target: number; tokens: number; messages: number; stringifyMs: number }>;
  rows: CompactionRow[];
}

/** The planner's compact(), or undefined when planner.ts is missing or exports none. */
async function loadCompact(): Promise<CompactFn | undefined> {
  try {
    const mod = (await import(join(__dirname, '..', '..', 'src', 'compaction', 'planner'))) as { compact?: CompactFn };
    return typeof mod.compact === 'function' ? mod.compact : undefined;
  } catch {
    return undefined;
  }
}

const MB = 1024 * 1024;

function warmCounter(log: SessionLog): TokenCounter {
  const counter = createTokenCounter();
  for (const r of log.records) if (r.type === 'message') counter.countParts(r.parts);
  return counter;
}

/** Heap figures of one call (one more call, after the timed ones). */
function memoryOf(call: () => unknown): { heapAfterCallMB: number; retainedHeapMB: number } {
  collectGarbage();
  const heap0 = process.memoryUsage().heapUsed;
  const out = call();
  const afterCall = process.memoryUsage().heapUsed - heap0;
  collectGarbage();
  const retained = process.memoryUsage().heapUsed - heap0;
  void out; // kept alive until here: "retained" is what the result holds
  return { heapAfterCallMB: round(Math.max(0, afterCall) / MB), retainedHeapMB: round(Math.max(0, retained) / MB) };
}

export async function benchCompaction(corpus: readonly MessageRecord[], runs: number, coldRuns: number): Promise<CompactionResult> {
  const compact = await loadCompact();
  const sessions = COMPACTION_SIZES.map((size) => syntheticSession(corpus, size, `cmp${size}`));
  const result: CompactionResult = { available: compact !== undefined, runs, coldRuns, sessions: [], rows: [] };
  if (!compact) {
    result.reason = 'src/compaction/planner.ts (compact) not found: compaction not measured';
    return result;
  }
  for (const [i, log] of sessions.entries()) {
    const size = COMPACTION_SIZES[i]!;
    const options = (strategy: Strategy, counter: TokenCounter) => ({
      source: 'manual' as const,
      strategy,
      targetTokens: budgetFor({ maxInputTokens: size }).targetTokens,
      counter,
      clock: { now: () => Date.now() },
      id: 'bench',
    });
    for (const state of ['warm', 'cold'] as const) {
      const n = state === 'warm' ? runs : coldRuns;
      const warm = state === 'warm' ? warmCounter(log) : undefined;
      const counterFor = () => warm ?? createTokenCounter();
      const last = new Map<string, ReturnType<CompactFn>>();
      const contenders = [
        { name: 'stringify', measure: () => timeOnce(() => JSON.stringify(log)) },
        ...STRATEGIES.map((s) => ({ name: s, measure: () => timeOnce(() => last.set(s, compact(log, options(s, counterFor())))) })),
      ];
      const times = interleave(contenders, n, state === 'warm' ? 1 : 0);
      const base = times.get('stringify')!;
      if (state === 'warm') result.sessions.push({ target: size, tokens: storedTokens(log), messages: log.records.length, stringifyMs: round(median(base)) });
      for (const s of STRATEGIES) {
        const out = last.get(s)!;
        result.rows.push({
          strategy: s,
          size,
          counter: state,
          status: out.status,
          tokensBefore: out.report.before.tokens,
          tokensAfter: out.report.after.tokens,
          medianMs: round(median(times.get(s)!)),
          vsStringify: round(pairedRatio(times.get(s)!, base)),
          ...(state === 'warm' ? memoryOf(() => compact(log, options(s, counterFor()))) : {}),
        });
      }
      last.clear();
    }
  }
  return result;
}
