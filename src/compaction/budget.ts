/**
 * The budget of a session (docs/architecture.md, Context accounting): window =
 * maxInputTokens, output reserve = min(maxOutputTokens, 20,000), effective
 * window = window − reserve. Levels are percentages of the effective window.
 */
import * as z from 'zod';
import {
  DEFAULT_AUTO_COMPACT_PERCENT,
  DEFAULT_TARGET_PERCENT,
  DEFAULT_WARN_PERCENT,
  MAX_CONSECUTIVE_AUTO_FAILURES,
  OUTPUT_RESERVE_MAX_FRACTION,
  OUTPUT_RESERVE_MAX_TOKENS,
} from './constants';

export interface Levels {
  warnPercent: number;
  autoCompactPercent: number;
  targetPercent: number;
}

export const DEFAULT_LEVELS: Readonly<Levels> = Object.freeze({
  warnPercent: DEFAULT_WARN_PERCENT,
  autoCompactPercent: DEFAULT_AUTO_COMPACT_PERCENT,
  targetPercent: DEFAULT_TARGET_PERCENT,
});

const percent = (name: string, fallback: number) =>
  z
    .number({ error: `${name} must be a number (percent of the effective window)` })
    .min(1, { error: (i) => `${name} must be between 1 and 100 (got ${String(i.input)})` })
    .max(100, { error: (i) => `${name} must be between 1 and 100 (got ${String(i.input)})` })
    .default(fallback);

export const LevelsSchema = z
  .object({
    warnPercent: percent('warnPercent', DEFAULT_WARN_PERCENT),
    autoCompactPercent: percent('autoCompactPercent', DEFAULT_AUTO_COMPACT_PERCENT),
    targetPercent: percent('targetPercent', DEFAULT_TARGET_PERCENT),
  })
  .check((ctx) => {
    const v = ctx.value;
    if (v.warnPercent >= v.autoCompactPercent) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        path: ['warnPercent'],
        message: `warnPercent (${v.warnPercent}) must be below autoCompactPercent (${v.autoCompactPercent})`,
      });
    }
    if (v.targetPercent >= v.autoCompactPercent) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        path: ['targetPercent'],
        message: `targetPercent (${v.targetPercent}) must be below autoCompactPercent (${v.autoCompactPercent}), or compaction would trigger again at once`,
      });
    }
  });

export type ParseLevelsResult = { ok: true; levels: Levels } | { ok: false; error: string };

/** Validates levels from settings; missing values take the defaults. Never throws. */
export function parseLevels(input: unknown): ParseLevelsResult {
  const r = LevelsSchema.safeParse(input ?? {});
  if (r.success) return { ok: true, levels: r.data };
  return { ok: false, error: r.error.issues.map((i) => i.message).join('; ') };
}

export interface ModelLimits {
  maxInputTokens: number;
  maxOutputTokens?: number;
}

export interface Budget {
  /** The model's context window (maxInputTokens). */
  window: number;
  outputReserve: number;
  /** window − outputReserve: what levels are percentages of. */
  effectiveWindow: number;
  levels: Levels;
  warnTokens: number;
  autoCompactTokens: number;
  targetTokens: number;
}

/**
 * The budget for a model. The reserve is min(maxOutputTokens, 20,000), also
 * capped at half the window so a small model keeps room for input.
 */
export function budgetFor(limits: ModelLimits, levels: Levels = DEFAULT_LEVELS): Budget {
  const window = Math.max(0, Math.floor(limits.maxInputTokens));
  const reserve = Math.min(
    limits.maxOutputTokens ?? OUTPUT_RESERVE_MAX_TOKENS,
    OUTPUT_RESERVE_MAX_TOKENS,
    Math.floor(window * OUTPUT_RESERVE_MAX_FRACTION),
  );
  const effectiveWindow = window - reserve;
  const at = (p: number) => Math.floor((effectiveWindow * p) / 100);
  return {
    window,
    outputReserve: reserve,
    effectiveWindow,
    levels: { ...levels },
    warnTokens: at(levels.warnPercent),
    autoCompactTokens: at(levels.autoCompactPercent),
    targetTokens: at(levels.targetPercent),
  };
}

export type Level = 'ok' | 'warn' | 'auto' | 'over';

/** ok < warn% ≤ warn < auto% ≤ auto ≤ 100% < over (of the effective window). */
export function levelOf(tokens: number, budget: Budget): Level {
  if (tokens > budget.effectiveWindow) return 'over';
  if (tokens >= budget.autoCompactTokens) return 'auto';
  if (tokens >= budget.warnTokens) return 'warn';
  return 'ok';
}

/** Share of the effective window used, as a fraction (may exceed 1). */
export function utilisation(tokens: number, budget: Pick<Budget, 'effectiveWindow'>): number {
  return budget.effectiveWindow > 0 ? tokens / budget.effectiveWindow : 1;
}

export interface ShouldCompactInput {
  tokens: number;
  budget: Budget;
  /** Auto-compactions that failed in a row; at MAX_CONSECUTIVE_AUTO_FAILURES we stop (circuit breaker). */
  consecutiveFailures?: number;
  /** The user turned automatic compaction off. */
  disabled?: boolean;
}

export type ShouldCompactDecision =
  | { compact: true; level: Level }
  | { compact: false; level: Level; reason: 'below_threshold' | 'disabled' | 'circuit_open' };

/** Whether to auto-compact now. Pure; the caller keeps the failure count. */
export function shouldCompact(input: ShouldCompactInput): ShouldCompactDecision {
  const level = levelOf(input.tokens, input.budget);
  if (input.disabled) return { compact: false, level, reason: 'disabled' };
  if (level !== 'auto' && level !== 'over') return { compact: false, level, reason: 'below_threshold' };
  if ((input.consecutiveFailures ?? 0) >= MAX_CONSECUTIVE_AUTO_FAILURES) return { compact: false, level, reason: 'circuit_open' };
  return { compact: true, level };
}
