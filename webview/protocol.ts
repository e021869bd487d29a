/**
 * Messages between the extension host and the Context webview. Both sides
 * validate every message with these schemas; nothing else crosses. The host
 * builds the state (extension/webview/viewModel.ts); the webview only draws it
 * and asks for actions. Text that came from a model (summaries, titles) is
 * plain text here and is rendered with textContent, never as HTML.
 */
// zod/mini: the same validation with a tree-shakable API, so the webview bundle
// stays small (the full zod, or `import { z }`, which keeps every locale, adds ~400 KB).
import * as z from 'zod/mini';

const tokens = z.int().check(z.nonnegative());
const percent = z.number().check(z.gte(0), z.lte(100));

export const CategorySchema = z.enum(['system', 'summary', 'attachments', 'user', 'assistant', 'toolCalls', 'toolResults', 'pinned', 'reservedOutput', 'free']);
export const SourceSchema = z.enum(['manual', 'auto', 'idle', 'partial']);
export const LevelSchema = z.enum(['ok', 'warn', 'auto', 'over']);

/** One part of the meter: a usage category, reserved output or free space. */
export const MeterSegmentSchema = z.object({
  category: CategorySchema,
  label: z.string(),
  tokens,
  /** Share of the meter's width, 0..100 (the segments sum to 100). */
  percentOfBar: percent,
});

export const MeterSchema = z.object({
  /** The gauge's numbers: "62% · 81K/131K". */
  headline: z.string(),
  percentUsed: z.number().check(z.nonnegative()),
  used: tokens,
  window: tokens,
  effectiveWindow: tokens,
  level: LevelSchema,
  /** "estimated (no tokenizer available)" and the like. */
  numbersSource: z.string(),
  segments: z.array(MeterSegmentSchema),
  /** Where the warn and auto-compact levels sit on the meter, 0..100 of its width. */
  warnAt: percent,
  autoCompactAt: percent,
  warnPercent: percent,
  autoCompactPercent: percent,
});

/** The context size after a log event (x is its position in the series). */
export const ChartPointSchema = z.object({
  tokens,
  kind: z.enum(['message', 'compaction', 'revert', 'rewind']),
  turn: z.optional(z.int().check(z.nonnegative())),
  /** For a compaction: its source, and the size just before it (the drop is before → tokens). */
  source: z.optional(SourceSchema),
  before: z.optional(tokens),
  compactionId: z.optional(z.string()),
});

export const ChartSchema = z.object({
  points: z.array(ChartPointSchema),
  warnTokens: tokens,
  autoCompactTokens: tokens,
  effectiveWindow: tokens,
});

export const HistoryEntrySchema = z.object({
  id: z.string(),
  /** ISO 8601. */
  at: z.string(),
  source: SourceSchema,
  strategy: z.string(),
  tiers: z.array(z.object({ tier: z.string(), count: z.int().check(z.nonnegative()) })),
  beforeTokens: tokens,
  afterTokens: tokens,
  savedPercent: z.int(),
  durationMs: z.number().check(z.nonnegative()),
  model: z.optional(z.string()),
  filesRestored: z.array(z.string()),
  instructions: z.optional(z.string()),
  /** Plain text; the webview renders it as text. */
  summary: z.string(),
  reverted: z.boolean(),
  /** The newest compaction still applied: the one Revert undoes. */
  canRevert: z.boolean(),
  /** The summary's fidelity to the log's ledger, 0..1 (records.ts `fidelity`); absent for compactions without one. */
  fidelity: z.optional(z.number().check(z.gte(0), z.lte(1))),
  /** A person edited the summary in the preview before it applied. */
  edited: z.optional(z.boolean()),
  /** The summary was prepared in the background and applied at once at the compaction point. */
  prepared: z.optional(z.boolean()),
});

export const TotalsSchema = z.object({
  compactions: z.int().check(z.nonnegative()),
  tokensSaved: tokens,
  bySource: z.object({ manual: tokens, auto: tokens, idle: tokens, partial: tokens }),
});

export const SessionItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  updatedAt: z.string(),
  tokens: z.optional(tokens),
});

/** A pinned message (kept verbatim through compaction) and what it costs in the context. */
export const PinItemSchema = z.object({
  messageId: z.string(),
  role: z.enum(['user', 'assistant', 'tool']),
  tokens,
  /** Plain text (the start of the message); the webview renders it as text. */
  preview: z.string(),
});

export const ActiveSessionSchema = z.object({
  id: z.string(),
  title: z.string(),
  meter: MeterSchema,
  chart: ChartSchema,
  /** Newest first. */
  history: z.array(HistoryEntrySchema),
  totals: TotalsSchema,
  /** Idle compaction: when the context in use came from one (ISO 8601), and why it stopped for this session, if it did. */
  idle: z.optional(z.object({ compactedAt: z.optional(z.string()), paused: z.optional(z.string()) })),
  /** Pinned messages, oldest first (absent: none). */
  pins: z.optional(z.array(PinItemSchema)),
});

export const ContextViewStateSchema = z.object({
  session: z.optional(ActiveSessionSchema),
  sessions: z.array(SessionItemSchema),
  /** Over every stored session (reverts applied); undefined until computed. */
  overall: z.optional(TotalsSchema),
  engine: z.object({ state: z.enum(['stopped', 'starting', 'running', 'unavailable']), reason: z.optional(z.string()) }),
  /** A compaction or revert started from the view is running. */
  busy: z.boolean(),
});
export type ContextViewState = z.infer<typeof ContextViewStateSchema>;
export type MeterSegment = z.infer<typeof MeterSegmentSchema>;
export type Meter = z.infer<typeof MeterSchema>;
export type Chart = z.infer<typeof ChartSchema>;
export type ChartPoint = z.infer<typeof ChartPointSchema>;
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
export type Totals = z.infer<typeof TotalsSchema>;
export type PinItem = z.infer<typeof PinItemSchema>;

/** host → webview: everything the view shows (sent on ready, on every change while visible). */
export const StateMessageSchema = z.object({ type: z.literal('state'), state: ContextViewStateSchema });
/** host → webview: the result of an action, shown as a one-line notice. */
export const NoticeMessageSchema = z.object({ type: z.literal('notice'), level: z.enum(['info', 'error']), text: z.string() });

export const HostToWebviewSchema = z.discriminatedUnion('type', [StateMessageSchema, NoticeMessageSchema]);
export type HostToWebview = z.infer<typeof HostToWebviewSchema>;

/** webview → host: the view is ready for its state. */
export const ReadyMessageSchema = z.object({ type: z.literal('ready') });
/** webview → host: a message the host sent failed validation (for the host's log). */
export const InvalidMessageSchema = z.object({ type: z.literal('invalidMessage'), error: z.string().check(z.maxLength(2000)) });
/** webview → host: compact the active session now (empty instructions: none). */
export const CompactMessageSchema = z.object({ type: z.literal('compact'), instructions: z.string().check(z.maxLength(4000)) });
/** webview → host: revert this compaction (must be the newest one still applied). */
export const RevertMessageSchema = z.object({ type: z.literal('revert'), sessionId: z.string().check(z.minLength(1)), compactionId: z.string().check(z.minLength(1)) });
/** webview → host: make this stored session the active one. */
export const SelectSessionMessageSchema = z.object({ type: z.literal('selectSession'), sessionId: z.string().check(z.minLength(1)) });
/** webview → host: open a compaction's full summary in an editor. */
export const OpenSummaryMessageSchema = z.object({ type: z.literal('openSummary'), sessionId: z.string().check(z.minLength(1)), compactionId: z.string().check(z.minLength(1)) });
/** webview → host: unpin this message (the Context view's pin list). */
export const UnpinMessageSchema = z.object({ type: z.literal('unpin'), sessionId: z.string().check(z.minLength(1)), messageId: z.string().check(z.minLength(1)) });
/** webview → host: open the before/after view of a compaction (the context before it and after it, side by side). */
export const OpenBeforeAfterMessageSchema = z.object({ type: z.literal('openBeforeAfter'), sessionId: z.string().check(z.minLength(1)), compactionId: z.string().check(z.minLength(1)) });

export const WebviewToHostSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  InvalidMessageSchema,
  CompactMessageSchema,
  RevertMessageSchema,
  SelectSessionMessageSchema,
  OpenSummaryMessageSchema,
  UnpinMessageSchema,
  OpenBeforeAfterMessageSchema,
]);
export type WebviewToHost = z.infer<typeof WebviewToHostSchema>;
