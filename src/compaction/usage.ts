/**
 * Usage breakdown of a context by category (docs/architecture.md, Context accounting).
 * The gauge and the webview both show these numbers.
 *
 * A message's stored tokens are split among categories in proportion to the
 * estimated size of its parts (no re-tokenizing): assistant text and thinking
 * → assistant, tool_call parts → toolCalls, tool_result parts and every part of
 * a `tool` message → toolResults. A pinned message (pins.ts) counts whole as
 * `pinned`.
 *
 * Invariant: the used categories plus `free` equal the effective window while
 * the context fits (free is 0 when over); plus `reservedOutput` they equal the
 * window.
 */
import { type Budget, type Level, levelOf } from './budget';
import { activeCompactionAt, contextOf, contextTokens, messagesOf } from './context';
import { applyCalibration, calibrate, type Calibration } from './tokens/calibration';
import { estimateTokens, partCost } from './tokens/counter';
import type { Part, SessionLog } from './records';
import type { ContextMessage } from './types';

export const USED_CATEGORIES = ['system', 'summary', 'attachments', 'user', 'assistant', 'toolCalls', 'toolResults', 'pinned'] as const;
export type UsedCategory = (typeof USED_CATEGORIES)[number];
export type UsageCategory = UsedCategory | 'reservedOutput' | 'free';

/** How each category is named wherever usage is shown (CLI, chat, gauge, webview). */
export const USAGE_CATEGORY_LABELS: Readonly<Record<UsageCategory, string>> = {
  system: 'System & instructions',
  summary: 'Summary',
  attachments: 'Attachments',
  user: 'User messages',
  assistant: 'Assistant messages',
  toolCalls: 'Tool calls',
  toolResults: 'Tool results',
  pinned: 'Pinned messages',
  reservedOutput: 'Reserved for output',
  free: 'Free',
};

export interface UsageBreakdown {
  categories: Record<UsageCategory, number>;
  /** Sum of the used categories. */
  used: number;
  window: number;
  effectiveWindow: number;
  /** used / effectiveWindow × 100 (may exceed 100). */
  percentUsed: number;
  level: Level;
  /** Numbers corrected by provider-reported usage. */
  reported: boolean;
  /** Numbers come from the estimate counter, not a tokenizer. */
  estimated: boolean;
}

function categoryOfPart(role: ContextMessage['role'], part: Part): UsedCategory {
  if (role === 'tool' || part.type === 'tool_result') return 'toolResults';
  if (part.type === 'tool_call') return 'toolCalls';
  if (role === 'assistant') return 'assistant';
  if (role === 'system') return 'system';
  return 'user';
}

/** Splits `total` among weights with the largest-remainder method (integers that sum to total). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  if (sum <= 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r);
  for (let k = 0; rest > 0 && order.length > 0; k = (k + 1) % order.length, rest--) out[order[k]!.i]! += 1;
  return out;
}

/**
 * Adds one message's stored tokens to its categories. When every part falls in
 * one category (most messages: a request, an answer, a tool result) the whole
 * count goes there without estimating the parts (what apportion would give);
 * only mixed messages (text and tool calls) are split.
 */
function addMessageCategories(cats: Record<UsedCategory, number>, m: ContextMessage): void {
  const parts = m.parts.length > 0 ? m.parts : [{ type: 'text', text: '' } as Part];
  const first = categoryOfPart(m.role, parts[0]!);
  if (parts.every((p) => categoryOfPart(m.role, p) === first)) {
    cats[first] += m.tokens;
    return;
  }
  const cached = splitCache.get(m.parts);
  let shares = cached?.tokens === m.tokens ? cached.shares : undefined;
  if (!shares) {
    shares = apportion(m.tokens, parts.map((p) => partCost(p, estimateTokens) + 1));
    splitCache.set(m.parts, { tokens: m.tokens, shares });
  }
  parts.forEach((p, i) => (cats[categoryOfPart(m.role, p)] += shares[i] ?? 0));
}

/**
 * Splits of mixed messages by their parts array (shared by the log record and
 * its context message), so re-folding a session after a compaction does not
 * estimate every tool call's arguments again. Weak: it lives as long as the log.
 */
const splitCache = new WeakMap<readonly Part[], { tokens: number; shares: number[] }>();

/** The tokens of each used category in a context (stored counts). */
export function categoriesOf(context: readonly ContextMessage[]): Record<UsedCategory, number> {
  const cats: Record<UsedCategory, number> = { system: 0, summary: 0, attachments: 0, user: 0, assistant: 0, toolCalls: 0, toolResults: 0, pinned: 0 };
  for (const m of context) {
    if (m.kind === 'system') cats.system += m.tokens;
    else if (m.kind === 'summary') cats.summary += m.tokens;
    else if (m.kind === 'attachment') cats.attachments += m.tokens;
    // A pin's whole message is its own category: what the person chose to keep costs this much.
    else if (m.pinned) cats.pinned += m.tokens;
    else addMessageCategories(cats, m);
  }
  return cats;
}

/**
 * Calibration from the newest assistant message, appended after the active
 * compaction, that carries reported input tokens: what we counted for the
 * context that request saw (everything before it) against what was reported.
 */
export function calibrationFromLog(log: SessionLog, context: readonly ContextMessage[]): Calibration | undefined {
  // One pass over the log (this runs in the extension host on every message).
  const since = activeCompactionAt(log)?.index ?? -1;
  const reportedById = new Map<string, number>();
  log.records.forEach((r, i) => {
    if (i > since && r.type === 'message' && r.role === 'assistant' && r.usage?.inputTokens !== undefined) {
      reportedById.set(r.id, r.usage.inputTokens);
    }
  });
  if (reportedById.size === 0) return undefined;
  for (let i = context.length - 1; i >= 0; i--) {
    const m = context[i];
    const reported = m?.messageId !== undefined && m.role === 'assistant' ? reportedById.get(m.messageId) : undefined;
    if (reported === undefined) continue;
    return calibrate(contextTokens(context.slice(0, i)), reported);
  }
  return undefined;
}

export interface UsageOptions {
  /** Correct local counts by reported usage (from calibrationFromLog). */
  calibration?: Calibration;
  /** The counts come from the estimate counter. */
  estimated?: boolean;
}

export function usageOf(context: readonly ContextMessage[], budget: Budget, options: UsageOptions = {}): UsageBreakdown {
  return breakdownOf(categoriesOf(context), contextTokens(context), budget, options);
}

/**
 * The usage of a whole session as the extension host shows it: the context's
 * stored counts, calibrated by the newest reported usage, labelled estimated
 * when any message was counted by the estimate. O(size of the log); the
 * incremental equivalent is UsageTracker (usageTracker.ts).
 */
export function usageOfLog(log: SessionLog, budget: Budget): UsageBreakdown {
  const context = contextOf(log);
  const estimated = messagesOf(log).some((m) => m.encoding === 'estimate');
  const calibration = calibrationFromLog(log, context);
  return usageOf(context, budget, { estimated, ...(calibration ? { calibration } : {}) });
}

/**
 * The breakdown from a context's raw categories and total tokens (what
 * usageOf computes from the context; UsageTracker keeps both up to date).
 */
export function breakdownOf(
  raw: Readonly<Record<UsedCategory, number>>,
  totalTokens: number,
  budget: Budget,
  options: UsageOptions = {},
): UsageBreakdown {
  const calibration = options.calibration?.usable ? options.calibration : undefined;
  let cats: Record<UsedCategory, number> = { ...raw };
  if (calibration) {
    const total = applyCalibration(totalTokens, calibration);
    const scaled = apportion(total, USED_CATEGORIES.map((c) => raw[c]));
    cats = Object.fromEntries(USED_CATEGORIES.map((c, i) => [c, scaled[i] ?? 0])) as Record<UsedCategory, number>;
  }
  const used = USED_CATEGORIES.reduce((s, c) => s + cats[c], 0);
  return {
    categories: { ...cats, reservedOutput: budget.outputReserve, free: Math.max(0, budget.effectiveWindow - used) },
    used,
    window: budget.window,
    effectiveWindow: budget.effectiveWindow,
    percentUsed: budget.effectiveWindow > 0 ? (used / budget.effectiveWindow) * 100 : 100,
    level: levelOf(used, budget),
    reported: calibration !== undefined,
    estimated: (options.estimated ?? false) && calibration === undefined,
  };
}
