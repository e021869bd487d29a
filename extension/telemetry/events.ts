/**
 * Every telemetry event, defined once (zod). `telemetry.json` at the repo root
 * lists the same events and properties with the reason for each; a unit test
 * keeps the two in step. No vscode import: the sender validates with these
 * schemas in plain Node.
 *
 * Invariant: no property can carry text from a session. Strings are enums (the
 * model is a known family name, see MODEL_FAMILIES); numbers are counts rounded to
 * a power of two (`roundPow2`) so a single session cannot be recognised by its
 * exact sizes. Schemas are `strict`: an unknown property makes the event invalid.
 */
import * as z from 'zod';
/** A compaction's `source` (where it came from) is the session record's own enum. */
import { CompactionSourceSchema } from '../../src/compaction/records';

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
 * The model property is one of these family names, `other` or `unknown`, never
 * the raw id: ids come from transcripts and settings and can carry personal
 * text (`ft:gpt-4o-2024-08-06:acme-corp:project-phoenix:…`, a path, an e-mail).
 * `telemetryModel` maps an id to its family by the longest known prefix.
 * Adding a family is a code change, so nothing unknown is ever sent.
 */
export const MODEL_FAMILIES = [
  'auto',
  'gpt-3.5-turbo', 'gpt-4', 'gpt-4-turbo', 'gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4.5',
  'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-5-codex', 'gpt-5.1', 'gpt-5.1-codex', 'gpt-5.1-codex-mini', 'gpt-oss',
  'o1', 'o1-mini', 'o3', 'o3-mini', 'o3-pro', 'o4-mini', 'codex-mini',
  'claude-3-haiku', 'claude-3-sonnet', 'claude-3-opus', 'claude-3.5-haiku', 'claude-3.5-sonnet', 'claude-3.7-sonnet',
  'claude-sonnet-4', 'claude-sonnet-4.5', 'claude-opus-4', 'claude-opus-4.1', 'claude-opus-4.5', 'claude-haiku-4.5',
  'gemini-1.5-pro', 'gemini-1.5-flash', 'gemini-2.0-flash', 'gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite',
  'gemini-3-pro', 'grok-3', 'grok-4', 'grok-code-fast-1', 'deepseek-v3', 'deepseek-r1', 'mistral-large', 'codestral',
  'llama-3', 'qwen3-coder', 'kimi-k2',
] as const;
export const ModelSchema = z.enum([...MODEL_FAMILIES, 'unknown', 'other']);

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
  source: CompactionSourceSchema,
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
  /** The summary's fidelity rounded to tenths (0, 0.1, … 1); -1 when the compaction wrote no summary. */
  fidelity: z.number().min(-1).max(1).refine((n) => Math.abs(n * 10 - Math.round(n * 10)) < 1e-9, 'not a multiple of 0.1'),
  summary_edited: z.boolean(),
  prepared: z.boolean(),
});

export const CompactionFailedSchema = z.strictObject({
  source: CompactionSourceSchema,
  reason: FailureReasonSchema,
  model: ModelSchema,
});

export const CircuitBreakerOpenedSchema = z.strictObject({
  consecutive_failures: z.number().int().min(1).max(100),
  last_reason: FailureReasonSchema,
  model: ModelSchema,
});

export const CompactionRevertedSchema = z.strictObject({
  source: CompactionSourceSchema,
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

/** Longest first, so `gpt-4o-mini` wins over `gpt-4o` and `gpt-4.1` over `gpt-4`. */
const FAMILIES_LONGEST_FIRST = [...MODEL_FAMILIES].sort((a, b) => b.length - a.length);

/**
 * A model id as sent: its family from MODEL_FAMILIES, `unknown` when absent,
 * `other` for anything else. The vendor prefix (`copilot/`), a fine-tune's
 * `ft:` and everything after the base model's `:` (org, project, suffix) are
 * dropped before matching; Anthropic's `claude-3-5-sonnet` spelling becomes
 * `claude-3.5-sonnet`. Only a listed family name can come out.
 */
export function telemetryModel(model: string | undefined): z.infer<typeof ModelSchema> {
  if (!model) return 'unknown';
  if (model.length > 200) return 'other';
  let id = model.trim().toLowerCase();
  if (id.startsWith('ft:')) id = id.slice(3);
  id = id.split(':')[0] ?? '';
  id = id.slice(id.lastIndexOf('/') + 1);
  // `claude-3-5-sonnet`, `claude-sonnet-4-5-20250929`: a single digit after a digit and a dash is a minor version.
  id = id.replace(/(\d)-(\d)(?!\d)/g, '$1.$2');
  for (const family of FAMILIES_LONGEST_FIRST) {
    if (id === family) return family;
    if (id.startsWith(family) && /[-_@]/.test(id.charAt(family.length))) return family;
  }
  return 'other';
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
