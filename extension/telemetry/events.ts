/**
 * Every telemetry event, defined once (zod). `telemetry.json` at the repo root
 * lists the same events and properties with the reason for each; a unit test
 * keeps the two in step. No vscode import: the sender validates with these
 * schemas in plain Node.
 *
 * Invariant: no property can carry text from a session. Strings are enums, or
 * a model id matched against a narrow pattern; numbers are counts rounded to
 * a power of two (`roundPow2`) so a single session cannot be recognised by its
 * exact sizes. Schemas are `strict`: an unknown property makes the event invalid.
 */
import * as z from 'zod';

/** Where a compaction came from (records.ts `CompactionSource`). */
export const SourceSchema = z.enum(['manual', 'auto', 'idle', 'partial']);

/** The strategy names the engine writes (records.ts); anything else is sent as `other`. */
export const STRATEGIES = ['auto', 'mask', 'extractive', 'llm', 'truncate', 'other'] as const;
export const StrategySchema = z.enum(STRATEGIES);

export const TIERS = ['mask', 'summarize', 'restore', 'truncate'] as const;

/** Why a compaction did not compact: the engine's statuses plus what the host adds. */
export const FAILURE_REASONS = [
  'prompt_too_long',
  'empty_summary',
  'inflated',
  'over_target',
  'model_error',
  'transient',
  'aborted',
  'nothing_to_compact',
  'invalid_request',
  'engine_unavailable',
  'engine_error',
  'unknown',
] as const;
export const FailureReasonSchema = z.enum(FAILURE_REASONS);

/**
 * A model id such as `gpt-4o`, `claude-sonnet-4.5` or `copilot/gpt-5-mini`. Not
 * free text: letters, digits and `._:/@-`, at most 100 characters. Ids that do
 * not fit are sent as `other` (see `telemetryModel`), never dropped silently.
 */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,99}$/;
export const ModelSchema = z.union([z.string().regex(MODEL_ID_PATTERN), z.literal('unknown'), z.literal('other')]);

/** `mask+summarize+restore`: the tiers that did something, in tier order; `none` when none did. */
export const TIERS_PATTERN = /^(none|(mask|summarize|restore|truncate)(\+(mask|summarize|restore|truncate))*)$/;

/** A non-negative count rounded to a power of two (0, 1, 2, 4, 8, …). */
const pow2 = z
  .number()
  .int()
  .nonnegative()
  .refine((n) => n === 0 || Number.isInteger(Math.log2(n)), 'not a power of two');

export const CompactionCompletedSchema = z.strictObject({
  model: ModelSchema,
  source: SourceSchema,
  strategy: StrategySchema,
  tiers: z.string().regex(TIERS_PATTERN),
  duration_b2: pow2,
  input_tokens_b2: pow2,
  output_tokens_b2: pow2,
  messages_before_b2: pow2,
  messages_after_b2: pow2,
  retries: z.number().int().min(0).max(10),
  fallback_used: z.boolean(),
  within_target: z.boolean(),
  summary_edited: z.boolean(),
  prepared: z.boolean(),
});

export const CompactionFailedSchema = z.strictObject({
  source: SourceSchema,
  reason: FailureReasonSchema,
  model: ModelSchema,
});

export const CircuitBreakerOpenedSchema = z.strictObject({
  consecutive_failures: z.number().int().min(1).max(100),
  last_reason: FailureReasonSchema,
  model: ModelSchema,
});

export const CompactionRevertedSchema = z.strictObject({
  source: SourceSchema,
  strategy: StrategySchema,
  age_seconds_b2: pow2,
});

/**
 * `usage` events go out only at telemetry level "all"; `error` events at
 * "error" or "all" (VS Code's TelemetryLogger: logUsage / logError).
 */
export const TELEMETRY_EVENTS = {
  compaction_completed: { level: 'usage', schema: CompactionCompletedSchema },
  compaction_failed: { level: 'error', schema: CompactionFailedSchema },
  circuit_breaker_opened: { level: 'error', schema: CircuitBreakerOpenedSchema },
  compaction_reverted: { level: 'usage', schema: CompactionRevertedSchema },
} as const;

export type TelemetryEventName = keyof typeof TELEMETRY_EVENTS;
export type TelemetryLevel = (typeof TELEMETRY_EVENTS)[TelemetryEventName]['level'];
export type TelemetryEventProperties<N extends TelemetryEventName> = z.infer<(typeof TELEMETRY_EVENTS)[N]['schema']>;
export type FailureReason = z.infer<typeof FailureReasonSchema>;
export type Strategy = z.infer<typeof StrategySchema>;

export function isTelemetryEventName(name: string): name is TelemetryEventName {
  return Object.prototype.hasOwnProperty.call(TELEMETRY_EVENTS, name);
}

export type ValidatedEvent =
  | { ok: true; name: TelemetryEventName; properties: Record<string, unknown> }
  | { ok: false; problem: string };

/** Validates an event by name. Never throws; `problem` names the event and the first issue (never the values). */
export function validateEvent(name: string, properties: unknown): ValidatedEvent {
  if (!isTelemetryEventName(name)) return { ok: false, problem: `unknown telemetry event "${safeName(name)}"` };
  const parsed = TELEMETRY_EVENTS[name].schema.safeParse(properties);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : issue && 'keys' in issue ? (issue.keys as string[]).join(', ') : '(event)';
    return { ok: false, problem: `invalid telemetry event ${name}: ${where}: ${issue?.code ?? 'invalid'}` };
  }
  return { ok: true, name, properties: parsed.data as Record<string, unknown> };
}

/** An event name fit for a log line (the name itself could be anything). */
function safeName(name: string): string {
  return /^[\w./-]{1,80}$/.test(name) ? name : '(unprintable)';
}

/**
 * Rounds a non-negative number to the nearest power of two in log space
 * (0 → 0, 1 → 1, 3 → 4, 5 → 4, 6 → 8, 1000 → 1024); values below 1 but above
 * 0 become 1. Not finite or negative → NaN, which the schemas reject.
 */
export function roundPow2(value: number): number {
  if (!Number.isFinite(value) || value < 0) return Number.NaN;
  if (value === 0) return 0;
  if (value <= 1) return 1;
  return 2 ** Math.round(Math.log2(value));
}

/** A model id as sent: `unknown` when absent, `other` when it does not look like an id. */
export function telemetryModel(model: string | undefined): z.infer<typeof ModelSchema> {
  if (!model) return 'unknown';
  return MODEL_ID_PATTERN.test(model) ? model : 'other';
}

export function telemetryStrategy(strategy: string | undefined): Strategy {
  return (STRATEGIES as readonly string[]).includes(strategy ?? '') ? (strategy as Strategy) : 'other';
}

/** The tiers that did something, in tier order, joined with `+`. */
export function telemetryTiers(tiers: readonly { tier: string; count: number }[]): string {
  const applied = new Set(tiers.filter((t) => t.count > 0).map((t) => t.tier));
  const names = TIERS.filter((t) => applied.has(t));
  return names.length ? names.join('+') : 'none';
}
