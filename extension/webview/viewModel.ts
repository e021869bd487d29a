/**
 * What the Context webview is told, built from a session log and its usage
 * breakdown. Pure (no `vscode`): unit tested, and the webview only draws it.
 *
 * Invariants:
 * - The meter's headline and numbers are the gauge's (gaugeHeadline, same
 *   UsageBreakdown), so the two never disagree.
 * - The meter's segments sum to its whole width (100) and their tokens to the
 *   meter's scale: the window while the context fits, used + reserve when over.
 * - The chart has one point per log event that changes the context (message,
 *   compaction, revert, rewind), each the context size right after it, from
 *   stored counts (nothing re-tokenized).
 */
import type { Levels } from '../../src/compaction/budget';
import { activeCompaction, contextOf, contextTokens, revertedIds } from '../../src/compaction/context';
import { pinsOf } from '../../src/compaction/pinList';
import type { CompactionRecord, SessionLog } from '../../src/compaction/records';
import { sessionTotals } from '../../src/compaction/report';
import type { CompactionTotals } from '../../src/compaction/types';
import { USED_CATEGORIES, type UsageBreakdown, type UsageCategory } from '../../src/compaction/usage';
import type { Chart, ChartPoint, ContextViewState, HistoryEntry, Meter, MeterSegment, PinItem, Totals } from '../../webview/protocol';
import { CATEGORY_LABELS } from '../ui/categories';
import { gaugeHeadline, sourceLabel } from '../ui/gaugeModel';

/** Meter order: what the context holds, then what is still free, then the output reserve (the end of the window). */
const METER_ORDER: readonly UsageCategory[] = [...USED_CATEGORIES, 'free', 'reservedOutput'];

/** Tokens at a level, as budgetFor computes them (floor of the percentage of the effective window). */
export function levelTokens(effectiveWindow: number, percent: number): number {
  return Math.floor((effectiveWindow * percent) / 100);
}

export function meterOf(usage: UsageBreakdown, levels: Levels): Meter {
  const scale = Math.max(usage.window, usage.used + usage.categories.reservedOutput, 1);
  const share = (t: number) => Math.min(100, Math.max(0, (t / scale) * 100));
  const segments: MeterSegment[] = METER_ORDER.filter((c) => usage.categories[c] > 0).map((c) => ({
    category: c,
    label: CATEGORY_LABELS[c],
    tokens: usage.categories[c],
    percentOfBar: share(usage.categories[c]),
  }));
  return {
    headline: gaugeHeadline(usage),
    percentUsed: usage.percentUsed,
    used: usage.used,
    window: usage.window,
    effectiveWindow: usage.effectiveWindow,
    level: usage.level,
    numbersSource: sourceLabel(usage),
    segments,
    warnAt: share(levelTokens(usage.effectiveWindow, levels.warnPercent)),
    autoCompactAt: share(levelTokens(usage.effectiveWindow, levels.autoCompactPercent)),
    warnPercent: levels.warnPercent,
    autoCompactPercent: levels.autoCompactPercent,
  };
}

/** The context size of the log cut after record `index` (a fold over the prefix). */
function sizeAfter(log: SessionLog, index: number): number {
  return contextTokens(contextOf({ header: log.header, records: log.records.slice(0, index + 1) }));
}

/**
 * Context tokens after each event of the log. Messages add their stored count;
 * a compaction, revert or rewind changes the context as a whole, so the prefix
 * is folded again there (rare events, so this stays linear in practice).
 */
export function chartPointsOf(log: SessionLog): ChartPoint[] {
  const points: ChartPoint[] = [];
  let size = contextTokens(contextOf({ header: log.header, records: [] }));
  log.records.forEach((r, i) => {
    switch (r.type) {
      case 'message':
        size += r.tokens;
        points.push({ tokens: size, kind: 'message', ...(r.turn !== undefined ? { turn: r.turn } : {}) });
        return;
      case 'compaction': {
        const before = size;
        size = sizeAfter(log, i);
        points.push({ tokens: size, kind: 'compaction', source: r.source, before, compactionId: r.id });
        return;
      }
      case 'revert':
      case 'rewind': {
        const before = size;
        size = sizeAfter(log, i);
        points.push({ tokens: size, kind: r.type, before, ...(r.type === 'revert' ? { compactionId: r.compactionId } : {}) });
        return;
      }
      case 'pin':
        // A pin brings a covered message back (context.ts): the size moves, the next point shows it; no point of its own.
        size = sizeAfter(log, i);
        return;
      default: {
        const unreachable: never = r;
        return unreachable;
      }
    }
  });
  return points;
}

export function chartOf(log: SessionLog, usage: Pick<UsageBreakdown, 'effectiveWindow'>, levels: Levels): Chart {
  return {
    points: chartPointsOf(log),
    warnTokens: levelTokens(usage.effectiveWindow, levels.warnPercent),
    autoCompactTokens: levelTokens(usage.effectiveWindow, levels.autoCompactPercent),
    effectiveWindow: usage.effectiveWindow,
  };
}

/** One entry per compaction, newest first; only the newest one still applied can be reverted. */
export function historyOf(log: SessionLog): HistoryEntry[] {
  const reverted = revertedIds(log);
  const active = activeCompaction(log)?.id;
  return log.records
    .filter((r): r is CompactionRecord => r.type === 'compaction')
    .reverse()
    .map((c) => ({
      id: c.id,
      at: c.at,
      source: c.source,
      strategy: c.strategy,
      tiers: c.tiers.filter((t) => t.count > 0),
      beforeTokens: c.before.tokens,
      afterTokens: c.after.tokens,
      savedPercent: c.before.tokens > 0 ? Math.round(((c.before.tokens - c.after.tokens) / c.before.tokens) * 100) : 0,
      durationMs: c.durationMs,
      ...(c.model ? { model: c.model } : {}),
      filesRestored: (c.attachments ?? []).map((a) => a.path),
      ...(c.instructions ? { instructions: c.instructions } : {}),
      summary: c.summary,
      reverted: reverted.has(c.id),
      canRevert: c.id === active,
      ...(c.fidelity !== undefined ? { fidelity: c.fidelity } : {}),
      ...(c.edited ? { edited: true } : {}),
      ...(c.prepared ? { prepared: true } : {}),
    }));
}

export function totalsOf(t: CompactionTotals): Totals {
  return { compactions: t.compactions, tokensSaved: t.tokensSaved, bySource: { ...t.bySource } };
}

/** The history view's idle line: the applied compaction was an idle one, or idle compaction stopped. */
export function idleOf(log: SessionLog, paused: string | undefined): { idle?: { compactedAt?: string; paused?: string } } {
  const applied = activeCompaction(log);
  const compactedAt = applied?.source === 'idle' ? applied.at : undefined;
  if (!compactedAt && !paused) return {};
  return { idle: { ...(compactedAt ? { compactedAt } : {}), ...(paused ? { paused } : {}) } };
}

/** The Context view's pin list (absent when nothing is pinned, so older states stay the same). */
export function pinsItemsOf(log: SessionLog): { pins?: PinItem[] } {
  const pins = pinsOf(log).map((p) => ({ messageId: p.messageId, role: p.role, tokens: p.tokens, preview: p.preview }));
  return pins.length > 0 ? { pins } : {};
}

export interface ViewStateInput {
  /** The active session, when there is one. */
  active?: { log: SessionLog; usage: UsageBreakdown; title: string; idlePaused?: string };
  levels: Levels;
  sessions: readonly { id: string; title: string; updatedAt: string; tokens?: number }[];
  overall?: CompactionTotals;
  engine: ContextViewState['engine'];
  busy: boolean;
}

export function buildViewState(input: ViewStateInput): ContextViewState {
  const { active } = input;
  return {
    ...(active
      ? {
          session: {
            id: active.log.header.id,
            title: active.title,
            meter: meterOf(active.usage, input.levels),
            chart: chartOf(active.log, active.usage, input.levels),
            history: historyOf(active.log),
            totals: totalsOf(sessionTotals(active.log)),
            ...idleOf(active.log, active.idlePaused),
            ...pinsItemsOf(active.log),
          },
        }
      : {}),
    sessions: input.sessions.map((s) => ({ id: s.id, title: s.title, updatedAt: s.updatedAt, ...(s.tokens !== undefined ? { tokens: s.tokens } : {}) })),
    ...(input.overall ? { overall: totalsOf(input.overall) } : {}),
    engine: { state: input.engine.state, ...(input.engine.reason ? { reason: input.engine.reason } : {}) },
    busy: input.busy,
  };
}
