/**
 * The session log: one JSONL file per session, append-only. This module is the
 * single definition of its records (written by the extension host, read by the
 * extension host, the compaction server, the CLI and the importers).
 *
 * Invariants:
 * - Nothing is ever deleted (a `rewind` marks superseded turns, it removes nothing). A compaction adds a `compaction` record that
 *   describes the new context; a `revert` record cancels one.
 * - Every compaction record is self-contained: `covered` lists every message
 *   that is not in the context verbatim any more (cumulative over earlier
 *   compactions), so the context is a fold over the newest non-reverted one.
 * - Token counts are computed once, when a record is appended, and stored with
 *   the encoding that produced them.
 */
import * as z from 'zod';

/** Bump when a record changes shape; readers accept every version up to this. */
export const LOG_VERSION = 1;

export const RoleSchema = z.enum(['user', 'assistant', 'tool']);
export type Role = z.infer<typeof RoleSchema>;

export const TextPartSchema = z.object({ type: z.literal('text'), text: z.string() });
export const ImagePartSchema = z.object({
  type: z.literal('image'),
  mimeType: z.string().optional(),
  /** Never the bytes: a name or URI the user would recognise. */
  ref: z.string().optional(),
});
export const DocumentPartSchema = z.object({
  type: z.literal('document'),
  name: z.string().optional(),
  mimeType: z.string().optional(),
});
export const ToolCallPartSchema = z.object({
  type: z.literal('tool_call'),
  id: z.string(),
  name: z.string(),
  /** Parsed arguments when they were JSON, otherwise the raw string. */
  args: z.union([z.record(z.string(), z.unknown()), z.string()]),
});
export const ToolResultPartSchema = z.object({
  type: z.literal('tool_result'),
  callId: z.string(),
  name: z.string().optional(),
  text: z.string(),
  isError: z.boolean().optional(),
  /**
   * The whole result when `text` (what the model sees, counted, masked and
   * summarized) was cut to a bounded head and tail, e.g. a long command
   * output. Never sent to the model; kept so nothing is lost (recall, export).
   */
  fullText: z.string().optional(),
});
export const ThinkingPartSchema = z.object({ type: z.literal('thinking'), text: z.string() });

export const PartSchema = z.discriminatedUnion('type', [
  TextPartSchema,
  ImagePartSchema,
  DocumentPartSchema,
  ToolCallPartSchema,
  ToolResultPartSchema,
  ThinkingPartSchema,
]);
export type Part = z.infer<typeof PartSchema>;
export type ToolCallPart = z.infer<typeof ToolCallPartSchema>;
export type ToolResultPart = z.infer<typeof ToolResultPartSchema>;

/** What the provider reported for the request that produced a message. */
export const ProviderUsageSchema = z.object({
  inputTokens: z.number().int().nonnegative().optional(),
  outputTokens: z.number().int().nonnegative().optional(),
  cachedInputTokens: z.number().int().nonnegative().optional(),
});
export type ProviderUsage = z.infer<typeof ProviderUsageSchema>;

export const ModelInfoSchema = z.object({
  id: z.string(),
  family: z.string().optional(),
  vendor: z.string().optional(),
  maxInputTokens: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export const SessionHeaderSchema = z.object({
  type: z.literal('session'),
  v: z.number().int().min(1).max(LOG_VERSION),
  id: z.string().min(1),
  /** ISO 8601. */
  createdAt: z.string(),
  title: z.string().optional(),
  model: ModelInfoSchema.optional(),
  systemPrompt: z.string().optional(),
  systemTokens: z.number().int().nonnegative().optional(),
  /** Where the session came from when it was imported (format name). */
  importedFrom: z.string().optional(),
});
export type SessionHeader = z.infer<typeof SessionHeaderSchema>;

/**
 * A record after the header: its kind, an id unique in the log and when it was
 * appended (ISO 8601), then the kind's own `fields`.
 */
function bodyRecord<Type extends string, Fields extends z.ZodRawShape>(type: Type, fields: Fields) {
  return z.object({ type: z.literal(type), id: z.string().min(1), at: z.string(), ...fields });
}

export const MessageRecordSchema = bodyRecord('message', {
  role: RoleSchema,
  parts: z.array(PartSchema),
  /** Tokens of this message's parts, counted once at append time. */
  tokens: z.number().int().nonnegative(),
  /** The encoding that produced `tokens` (`o200k_base`, `cl100k_base`, `estimate`). */
  encoding: z.string(),
  usage: ProviderUsageSchema.optional(),
  /** The chat turn this message belongs to (a user request and what answered it). */
  turn: z.number().int().nonnegative().optional(),
  /** false: a user message that is not a request (a demonstration, an expanded command template, an observation); set by importers. */
  request: z.boolean().optional(),
});
export type MessageRecord = z.infer<typeof MessageRecordSchema>;

export const CompactionSourceSchema = z.enum(['manual', 'auto', 'idle', 'partial']);
export type CompactionSource = z.infer<typeof CompactionSourceSchema>;

export const TierSchema = z.enum(['mask', 'summarize', 'restore', 'truncate']);
export type Tier = z.infer<typeof TierSchema>;

export const AttachmentSchema = z.object({
  /** Workspace-relative path when known. */
  path: z.string(),
  text: z.string(),
  tokens: z.number().int().nonnegative(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** Tokens and messages of the context. */
const ContextSizeSchema = z.object({ tokens: z.number().int().nonnegative(), messages: z.number().int().nonnegative() });

export const CompactionRecordSchema = bodyRecord('compaction', {
  source: CompactionSourceSchema,
  /** Strategy name as chosen by the planner or the user (`auto`, `mask`, `extractive`, `llm`, `truncate`). */
  strategy: z.string(),
  tiers: z.array(z.object({ tier: TierSchema, count: z.number().int().nonnegative() })),
  /** Every message no longer in the context verbatim (cumulative). */
  covered: z.array(z.string()),
  /** Messages kept in the context with different parts (masked tool results). */
  replaced: z
    .array(z.object({ messageId: z.string(), parts: z.array(PartSchema), tokens: z.number().int().nonnegative() }))
    .default([]),
  /** Replaces the covered messages, at the position of the first of them. Empty when only masking. */
  summary: z.string(),
  /** Facts the summary kept ÷ facts the ledger tracked (requests, constraints, files changed, unresolved errors, last command outcomes), before the lost ones were added back (fidelity.ts). */
  fidelity: z.number().min(0).max(1).optional(),
  summaryTokens: z.number().int().nonnegative(),
  attachments: z.array(AttachmentSchema).default([]),
  before: ContextSizeSchema,
  after: ContextSizeSchema,
  durationMs: z.number().nonnegative(),
  model: z.string().optional(),
  instructions: z.string().optional(),
  /** A person edited the summary in the preview before it was applied. */
  edited: z.boolean().optional(),
  /** The summary was prepared in the background before the compaction point (and applied there at once). */
  prepared: z.boolean().optional(),
});
export type CompactionRecord = z.infer<typeof CompactionRecordSchema>;

export const RevertRecordSchema = bodyRecord('revert', {
  compactionId: z.string(),
});
export type RevertRecord = z.infer<typeof RevertRecordSchema>;

/**
 * The user edited or retried an earlier request in the Chat view: the messages
 * of turns >= `fromTurn` appended before this record are superseded (kept in
 * the log, left out of the context). The Chat view is the source of truth.
 */
export const RewindRecordSchema = bodyRecord('rewind', {
  fromTurn: z.number().int().nonnegative(),
  reason: z.string().optional(),
});
export type RewindRecord = z.infer<typeof RewindRecordSchema>;

/**
 * The person pinned (`pinned: true`) or unpinned (`pinned: false`) a message:
 * while pinned, compaction keeps it verbatim (never masked, summarized or
 * truncated; pins.ts). The newest pin record of a message wins, so an unpin is
 * the revert of a pin and both stay in the log.
 */
export const PinRecordSchema = bodyRecord('pin', {
  messageId: z.string().min(1),
  pinned: z.boolean(),
  /** The passage the person quoted to find the message (`/pin "…"`), when they did. */
  quote: z.string().optional(),
  /** Where the pin came from (`chat`, `transcript`, `view`, `api`), for the person reading the log. */
  origin: z.string().optional(),
});
export type PinRecord = z.infer<typeof PinRecordSchema>;

/** Every record after the header. */
export const BodyRecordSchema = z.discriminatedUnion('type', [
  MessageRecordSchema,
  CompactionRecordSchema,
  RevertRecordSchema,
  RewindRecordSchema,
  PinRecordSchema,
]);
export type BodyRecord = z.infer<typeof BodyRecordSchema>;

/** Any line of a log: the header or a body record. */
export const LogRecordSchema = z.discriminatedUnion('type', [SessionHeaderSchema, ...BodyRecordSchema.options]);
export type LogRecord = z.infer<typeof LogRecordSchema>;

/** A session as read from its log: the header and the other records in order. */
export interface SessionLog {
  header: SessionHeader;
  records: BodyRecord[];
}
