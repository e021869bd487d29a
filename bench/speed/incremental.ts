/**
 * Incremental cost: appending one message to a session of 10K, 100K and 1M
 * tokens and bringing its usage up to date. The update must not grow with the
 * session (target: per-message time at 1M ≤ 1.5 × at 10K).
 *
 * Paths, all appending the same corpus messages, each counted by a fresh counter:
 * - engine usage tracker: count the new message, serialize its JSONL line,
 *   then `UsageTracker.usage(budget)` (src/compaction/usageTracker.ts), what
 *   the extension host's SessionService.usage does after every message.
 * - full fold: the same append, then `usageOfLog` (contextOf + calibration +
 *   usageOf over the whole log): what SessionService.usage did before the
 *   tracker, kept for comparison.
 * - running totals: count the new message, serialize its JSONL line, add its
 *   categories to running totals, derive percent and level: the floor, written
 *   here, not in the engine.
 * - EngineService.usage: the same append, then the server's usage request
 *   in-process (no transport).
 * - usage request over IPC: the same, plus what the server does to every
 *   request (handlers.ts): the JSON round trip of its params (the whole log)
 *   and their zod validation (UsageParamsSchema).
 */
import { type Budget, budgetFor, levelOf } from '../../src/compaction/budget';
import type { MessageRecord, SessionLog } from '../../src/compaction/records';
import { UsageParamsSchema, type UsageParams } from '../../src/compaction/protocol';
import { createCounterPool } from '../../src/compaction/server/counters';
import { EngineService } from '../../src/compaction/server/engineService';
import { createTokenCounter } from '../../src/compaction/tokens/counter';
import { categoriesOf, usageOfLog, USED_CATEGORIES, type UsedCategory } from '../../src/compaction/usage';
import { UsageTracker } from '../../src/compaction/usageTracker';
import { storedTokens, syntheticSession } from './corpus';
import { interleave, median, pairedRatio, round, timeOnce } from './stats';

export const SESSION_SIZES = [10_000, 100_000, 1_000_000] as const;
/** Target: per-message update at 1M tokens / at 10K. */
export const FLAT_RATIO_MAX = 1.5;

type Path = 'engine usage tracker' | 'full fold (SessionService.usage before)' | 'running totals' | 'EngineService.usage' | 'usage request over IPC';
const PATHS: Array<{ path: Path; appends: number }> = [
  { path: 'engine usage tracker', appends: 200 },
  { path: 'full fold (SessionService.usage before)', appends: 10 },
  { path: 'running totals', appends: 200 },
  { path: 'EngineService.usage', appends: 10 },
  { path: 'usage request over IPC', appends: 10 },
];

export interface IncrementalRow {
  path: Path;
  appendsPerRun: number;
  /** Median ms per appended message, by session size (this machine). */
  perMessageMs: Record<string, number>;
  /** Median over runs of (ms at 1M / ms at 10K). */
  ratio1MTo10K: number;
  meetsTarget: boolean;
}

export interface IncrementalResult {
  runs: number;
  sessions: Array<{ target: number; tokens: number; messages: number }>;
  rows: IncrementalRow[];
  note: string;
}

/** O(1) per message: the used tokens per category, kept up to date as messages are appended. */
class RunningUsage {
  private readonly cats = Object.fromEntries(USED_CATEGORIES.map((c) => [c, 0])) as Record<UsedCategory, number>;
  constructor(private readonly budget: Budget) {}
  add(m: MessageRecord): { used: number; percentUsed: number; level: string } {
    const c = categoriesOf([{ kind: 'message', role: m.role, parts: m.parts, tokens: m.tokens, messageId: m.id }]);
    let used = 0;
    for (const k of USED_CATEGORIES) used += this.cats[k] += c[k];
    return { used, percentUsed: (used / this.budget.effectiveWindow) * 100, level: levelOf(used, this.budget) };
  }
  seed(log: SessionLog): void {
    for (const r of log.records) if (r.type === 'message') this.add(r);
  }
}

function appendMessage(log: SessionLog, m: MessageRecord, count: (m: MessageRecord) => number, i: number): MessageRecord {
  const rec: MessageRecord = { ...m, id: `${log.header.id}-new${i}`, tokens: count(m), encoding: 'o200k_base' };
  JSON.stringify(rec); // the JSONL line the session store appends
  log.records.push(rec);
  return rec;
}

export function benchIncremental(corpus: readonly MessageRecord[], runs: number): IncrementalResult {
  const sessions = SESSION_SIZES.map((size) => syntheticSession(corpus, size, `inc${size}`));
  const budgets = sessions.map((s) => budgetFor({ maxInputTokens: s.header.model!.maxInputTokens! }));
  const service = new EngineService({ counters: createCounterPool(() => undefined), clock: { now: () => 0 }, compact: () => { throw new Error('not used'); } });
  const contenders = PATHS.flatMap(({ path, appends }) =>
    sessions.map((log, s) => ({
      name: `${path}@${SESSION_SIZES[s]}`,
      measure: () => {
        const base = log.records.length;
        const counter = createTokenCounter(); // cold: the new messages were never counted
        const count = (m: MessageRecord) => counter.countParts(m.parts);
        const running = new RunningUsage(budgets[s]!);
        if (path === 'running totals') running.seed(log); // done once when a session opens
        const tracker = path === 'engine usage tracker' ? new UsageTracker(log) : undefined; // once per opened session
        const ms = timeOnce(() => {
          for (let i = 0; i < appends; i++) {
            const rec = appendMessage(log, corpus[i % corpus.length]!, count, i);
            if (tracker) tracker.usage(budgets[s]!);
            else if (path === 'full fold (SessionService.usage before)') usageOfLog(log, budgets[s]!);
            else if (path === 'running totals') running.add(rec);
            else if (path === 'EngineService.usage') service.usage({ log } as UsageParams);
            else service.usage(UsageParamsSchema.parse(JSON.parse(JSON.stringify({ log }))));
          }
        });
        log.records.length = base;
        return ms / appends;
      },
    })),
  );
  const times = interleave(contenders, runs);
  const rows = PATHS.map(({ path, appends }): IncrementalRow => {
    const at = (size: number) => times.get(`${path}@${size}`)!;
    const r = pairedRatio(at(1_000_000), at(10_000));
    return {
      path,
      appendsPerRun: appends,
      perMessageMs: Object.fromEntries(SESSION_SIZES.map((size) => [String(size), round(median(at(size)))])),
      ratio1MTo10K: round(r),
      meetsTarget: r <= FLAT_RATIO_MAX,
    };
  });
  return {
    runs,
    sessions: sessions.map((s, i) => ({ target: SESSION_SIZES[i]!, tokens: storedTokens(s), messages: s.records.length })),
    rows,
    note: 'per-message ms = one run of N appends (the first N corpus messages, same for every size) / N, each counted by a fresh counter and serialized; "engine usage tracker" is what the extension host does now (UsageTracker, created once per opened session), "full fold" what it did before, "running totals" the floor',
  };
}
