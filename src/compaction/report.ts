/**
 * Compaction reports and running totals (docs/architecture.md, Compaction: "Every
 * compaction returns a report").
 */
import type { CompactionRecord, CompactionSource, SessionLog } from './records';
import { revertedIds } from './context';
import type { CompactionReport, CompactionTotals, CompactStatus, TierCount } from './types';

export interface ReportInput {
  status: CompactStatus;
  source: CompactionSource;
  strategy: string;
  tiers: TierCount[];
  before: { tokens: number; messages: number };
  after: { tokens: number; messages: number };
  durationMs: number;
  model?: string;
  reason?: string;
  effectiveWindow?: number;
  targetTokens?: number;
}

export function buildReport(input: ReportInput): CompactionReport {
  const util = (tokens: number) =>
    input.effectiveWindow !== undefined && input.effectiveWindow > 0 ? tokens / input.effectiveWindow : undefined;
  const withUtil = (x: { tokens: number; messages: number }) => {
    const u = util(x.tokens);
    return u === undefined ? { ...x } : { ...x, utilisation: u };
  };
  const report: CompactionReport = {
    status: input.status,
    source: input.source,
    strategy: input.strategy,
    tiers: input.tiers.filter((t) => t.count > 0),
    before: withUtil(input.before),
    after: withUtil(input.after),
    tokensSaved: Math.max(0, input.before.tokens - input.after.tokens),
    durationMs: Math.max(0, input.durationMs),
  };
  if (input.model !== undefined) report.model = input.model;
  if (input.reason !== undefined) report.reason = input.reason;
  if (input.targetTokens !== undefined) {
    report.targetTokens = input.targetTokens;
    report.withinTarget = input.after.tokens <= input.targetTokens;
  }
  return report;
}

export function emptyTotals(): CompactionTotals {
  return { compactions: 0, tokensSaved: 0, bySource: { manual: 0, auto: 0, idle: 0, partial: 0 } };
}

/** Totals over compaction records; `reverted` ids are excluded. */
export function totals(records: readonly CompactionRecord[], reverted: ReadonlySet<string> = new Set()): CompactionTotals {
  const t = emptyTotals();
  for (const r of records) {
    if (reverted.has(r.id)) continue;
    t.compactions++;
    t.tokensSaved += Math.max(0, r.before.tokens - r.after.tokens);
    t.bySource[r.source]++;
  }
  return t;
}

/** Totals of one session log (reverts applied). */
export function sessionTotals(log: SessionLog): CompactionTotals {
  const records = log.records.filter((r): r is CompactionRecord => r.type === 'compaction');
  return totals(records, revertedIds(log));
}

/** Totals per session id and overall. */
export function totalsBySession(logs: readonly SessionLog[]): { perSession: Record<string, CompactionTotals>; overall: CompactionTotals } {
  const perSession: Record<string, CompactionTotals> = {};
  const overall = emptyTotals();
  for (const log of logs) {
    const t = sessionTotals(log);
    perSession[log.header.id] = t;
    overall.compactions += t.compactions;
    overall.tokensSaved += t.tokensSaved;
    for (const k of Object.keys(t.bySource) as CompactionSource[]) overall.bySource[k] += t.bySource[k];
  }
  return { perSession, overall };
}
