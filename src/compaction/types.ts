/**
 * The engine's public shapes, shared by the planner, the tiers, the importers,
 * the CLI, the server and the extension. Effects are injected as the small
 * interfaces below; decisions are pure functions over these values.
 */
import type { Attachment, CompactionRecord, CompactionSource, Part, Tier } from './records';

/** Counts tokens. Implementations cache by content; `encoding` names what counted. */
export interface TokenCounter {
  readonly encoding: string;
  /** True when counts are an estimate, not a real tokenizer. */
  readonly estimated: boolean;
  countText(text: string): number;
  countParts(parts: readonly Part[]): number;
}

export interface Clock {
  now(): number;
}

export type ContextKind = 'system' | 'summary' | 'attachment' | 'message';

/** One message of the context sent to a model (the fold over a session log). */
export interface ContextMessage {
  kind: ContextKind;
  role: 'system' | 'user' | 'assistant' | 'tool';
  parts: Part[];
  tokens: number;
  /** Id of the log message this comes from (kind `message`). */
  messageId?: string;
  /** Kept verbatim by a pin (pins.ts); counted as the `pinned` usage category. */
  pinned?: boolean;
}

export type Strategy = 'auto' | 'mask' | 'extractive' | 'truncate';

export interface CompactOptions {
  source: CompactionSource;
  strategy: Strategy;
  /** Tokens the context should fit in after compaction. */
  targetTokens: number;
  counter: TokenCounter;
  clock: Clock;
  /** Partial compaction: only up to (exclusive) or from (inclusive) this message id. */
  partial?: { upto: string } | { from: string };
  /** User turns kept verbatim at the end (the tail). */
  keepTailTurns?: number;
  /** Tool results older than this many user turns are masked. */
  maskAfterTurns?: number;
  /**
   * Recall-aware masking: the model can recall a masked result exactly (stubs
   * name their recall id), so mask more — results older than
   * RECALL_AWARE_MASK_AFTER_ROUNDS tool rounds as well, whatever the turn.
   * Off by default; bench/QUALITY.md compares both.
   */
  recallAwareMasking?: boolean;
  instructions?: string;
  /** Id for the compaction record (generated when absent). */
  id?: string;
  /** Files re-attached after a summary (the restore tier; read by the caller). */
  attachments?: Attachment[];
  /** The effective window, to report utilisation before/after. */
  effectiveWindow?: number;
  /**
   * When the result still exceeds `targetTokens`: false (default) returns it
   * as `compacted` with `report.withinTarget: false`; true returns
   * `over_target` and leaves the session unchanged.
   */
  requireTarget?: boolean;
}

export interface TierCount {
  tier: Tier;
  count: number;
}

export interface CompactionReport {
  status: CompactStatus;
  source: CompactionSource;
  strategy: string;
  tiers: TierCount[];
  before: { tokens: number; messages: number; utilisation?: number };
  after: { tokens: number; messages: number; utilisation?: number };
  tokensSaved: number;
  durationMs: number;
  model?: string;
  /** Why the result is what it is, in one sentence (always set on failures). */
  reason?: string;
  /** The target the planner aimed for. */
  targetTokens?: number;
  /** Whether the context after compaction fits the target. */
  withinTarget?: boolean;
  /** LLM summaries (strategy `llm`): what the summary model did. */
  summarizer?: SummarizerReport;
  /** The model's summary was not used; the deterministic extractive summary was (`fallbackReason` says why). */
  fallback?: boolean;
  fallbackReason?: string;
  /** The context after compaction is at or above the auto-compact threshold: the next turn would compact again. */
  retriggersAutoCompact?: boolean;
  /** The summary's fidelity to the ledger (records.ts `fidelity`), when a summary was written. */
  fidelity?: number;
  /** A person edited the summary in the preview before it was applied. */
  edited?: boolean;
  /** The summary was prepared in the background and applied at the compaction point. */
  prepared?: boolean;
  /**
   * Pinned messages kept verbatim in the result (pins.ts) and their tokens; `note` says so when they keep the
   * result over the target (pins are never dropped to fit; `reason` carries the same sentence).
   */
  pins?: { messages: number; tokens: number; note?: string };
}

/** How the summary model was used for one compaction (docs/architecture.md, Compaction: the report names the model). */
export interface SummarizerReport {
  model?: string;
  /** Tokens of the summary request and answer: provider-reported when `usageReported`, else counted. */
  inputTokens?: number;
  outputTokens?: number;
  usageReported: boolean;
  /** Requests sent to the model (first try and retries). */
  calls: number;
  /** Retries after "prompt too long" (oldest rounds dropped each time). */
  promptTooLongRetries: number;
  /** Retries after transient failures (rate limit, overload), with backoff. */
  transientRetries: number;
  /** Rounds left out of the summary request to fit the model. */
  droppedRounds: number;
  /** Why the model's summary was not used, as a status name (with `fallback`). */
  failure?: 'prompt_too_long' | 'transient' | 'model_error' | 'empty_summary' | 'inflated';
}

/**
 * Named outcomes. `compacted`: a record to append. Every other status leaves
 * the session unchanged.
 */
export type CompactStatus =
  | 'compacted'
  | 'nothing_to_compact'
  | 'inflated'
  | 'over_target'
  | 'empty_summary'
  | 'prompt_too_long'
  | 'aborted'
  | 'invalid_request';

export type CompactResult =
  | { status: 'compacted'; record: CompactionRecord; context: ContextMessage[]; report: CompactionReport }
  | { status: Exclude<CompactStatus, 'compacted'>; report: CompactionReport };

/** Running totals, per session or over many. */
export interface CompactionTotals {
  compactions: number;
  tokensSaved: number;
  bySource: Record<CompactionSource, number>;
}
