/**
 * The JSON-RPC contract between the extension host (EngineClient, in
 * `extension/engine/`) and the compaction server (`src/compaction/server/`).
 * One file, owned by the engine: every request's method name, its params as a
 * zod schema (validated by the server on arrival) and its result type, each
 * with a comment saying which way it travels.
 *
 * Why no `RequestType` here: this file is part of the engine, which never
 * imports `vscode-languageserver*` / `vscode-jsonrpc` (lint rule in
 * eslint.config.mjs). The typed `RequestType` objects are built from these
 * names and types in `server/requests.ts`, which imports only `vscode-jsonrpc`
 * (the same copy `vscode-languageclient` uses), so the client and the tests
 * share them without pulling the server library into the extension bundle.
 *
 * Conventions:
 * - All requests travel client (extension host) → server. The server sends no
 *   custom requests or notifications; it logs through `window/logMessage` and
 *   sends partial results as `$/progress` when a request asks for them.
 * - Params are objects (`ParameterStructures.byName`). Optional fields take
 *   the engine's defaults (constants.ts); `*Input` types are what a caller
 *   sends, the schema's output is what a handler sees.
 * - The server keeps no session state: every request carries the session log
 *   it is about. Token counts go back to the extension, which stores them.
 * - Failures are `ResponseError`s with a code from `EngineErrorCodes` and a
 *   `data` matching `EngineErrorData`; never an empty result.
 * - Compaction outcomes that leave the session unchanged (`nothing_to_compact`,
 *   `inflated`, `over_target`, …) are results, not errors: they carry a report
 *   the caller shows (docs/architecture.md: "a result value the caller applies").
 */
import * as z from 'zod';
import { type Budget, LevelsSchema } from './budget';
import type { ImportWarning } from './importers/errors';
import {
  AttachmentSchema,
  type BodyRecord,
  BodyRecordSchema,
  CompactionSourceSchema,
  ModelInfoSchema,
  PartSchema,
  type SessionHeader,
  SessionHeaderSchema,
  type Tier,
} from './records';
import type { CompactionReport, CompactResult } from './types';
import type { UsageBreakdown } from './usage';

/** Bumped when a request or result changes shape; the server reports it in `initialize`. */
export const PROTOCOL_VERSION = 1;

export const Methods = {
  count: 'compaction/count',
  usage: 'compaction/usage',
  plan: 'compaction/plan',
  compact: 'compaction/compact',
  import: 'compaction/import',
} as const;
export type Method = (typeof Methods)[keyof typeof Methods];

// --- Shared pieces -------------------------------------------------------------

/** A session log as the extension read it: header + records in file order. */
export const SessionLogSchema = z.object({
  header: SessionHeaderSchema,
  records: z.array(BodyRecordSchema),
});

/** The encodings the server can count with (`estimate`: chars / 4, no tokenizer). */
export const EncodingSchema = z.enum(['o200k_base', 'cl100k_base']);

/**
 * Which model the budget is for. Fields given here win over the session
 * header's `model`; `maxInputTokens` must be known from one of them.
 */
const BudgetParams = {
  log: SessionLogSchema,
  model: ModelInfoSchema.partial().optional(),
  /** Levels in percent of the effective window; missing ones take the defaults (budget.ts). */
  levels: LevelsSchema.optional(),
};

/** Partial compaction: summarize only up to (exclusive) or from (inclusive) this message id. */
export const PartialSchema = z.union([
  z.object({ upto: z.string().min(1) }).strict(),
  z.object({ from: z.string().min(1) }).strict(),
]);

/** The deterministic strategies the server runs (the LLM summary runs in the extension host). */
export const StrategySchema = z.enum(['auto', 'mask', 'extractive', 'truncate']);

const PlanFields = {
  ...BudgetParams,
  strategy: StrategySchema.default('auto'),
  partial: PartialSchema.optional(),
  /** Overrides the budget's target (tokens the context should fit in after compaction). */
  targetTokens: z.number().int().positive().optional(),
  keepTailTurns: z.number().int().min(0).optional(),
  maskAfterTurns: z.number().int().min(0).optional(),
  /** Files to re-attach after a summary (the restore tier), read and counted by the extension. */
  attachments: z.array(AttachmentSchema).optional(),
  /** True: a result still over the target is `over_target` (session unchanged) instead of `compacted` with `withinTarget: false`. */
  requireTarget: z.boolean().optional(),
};

// --- compaction/count ------------------------------------------------------------
// client → server. Token counts of texts and of messages (as parts), with the
// encoding of `model` (modelFamilies.ts) unless `encoding` overrides it. A
// message count includes the per-message framing (MESSAGE_OVERHEAD_TOKENS) and
// part overheads, exactly what the engine stores in a `message` record.

export const CountParamsSchema = z.object({
  /** The model id (`gpt-4o`, `claude-sonnet-4`, …); picks the encoding. */
  model: z.string().min(1),
  /** The model's family as VS Code reports it; helps pick the encoding. */
  family: z.string().optional(),
  encoding: EncodingSchema.optional(),
  texts: z.array(z.string()).default([]),
  /** Each entry is one message's parts. */
  messages: z.array(z.array(PartSchema)).default([]),
});
export type CountParams = z.output<typeof CountParamsSchema>;
export type CountParamsInput = z.input<typeof CountParamsSchema>;

export interface CountResult {
  /** What counted: `o200k_base`, `cl100k_base`, or `estimate` when the tokenizer could not load. */
  encoding: string;
  estimated: boolean;
  /** One count per `texts` entry, same order. */
  texts: number[];
  /** One count per `messages` entry, same order. */
  messages: number[];
}

// --- compaction/usage ------------------------------------------------------------
// client → server. The usage breakdown of a session's current context (the fold
// over its log) against its model's budget. Nothing is re-tokenized but a
// system prompt whose count was never stored.

export const UsageParamsSchema = z.object(BudgetParams);
export type UsageParams = z.output<typeof UsageParamsSchema>;
export type UsageParamsInput = z.input<typeof UsageParamsSchema>;

export interface UsageResult {
  usage: UsageBreakdown;
  budget: Budget;
  /** Stored tokens of the context, before any calibration by reported usage. */
  contextTokens: number;
  /** Messages in the context (system prompt, summary and attachments included). */
  contextMessages: number;
}

// --- compaction/plan -------------------------------------------------------------
// client → server. What `compaction/compact` would do with the same params,
// without producing a record: the tiers that would apply and the estimated
// size after. Deterministic strategies only, so the estimate is what compact
// gives for the same log.

export const PlanParamsSchema = z.object(PlanFields);
export type PlanParams = z.output<typeof PlanParamsSchema>;
export type PlanParamsInput = z.input<typeof PlanParamsSchema>;

/**
 * The report compact would give, estimated: `status` is `compacted` when compact
 * would append a record, otherwise why not; `after` is what compact would
 * produce now; `withinTarget` says whether that fits the target.
 */
export interface PlanResult
  extends Pick<CompactionReport, 'status' | 'tiers' | 'before' | 'after' | 'tokensSaved' | 'reason'>,
    Required<Pick<CompactionReport, 'targetTokens' | 'withinTarget'>> {
  wouldCompact: boolean;
  budget: Budget;
}

// --- compaction/compact ----------------------------------------------------------
// client → server. Runs the deterministic tiers and returns the engine's
// CompactResult: on `compacted`, the record for the extension to append (the
// server writes nothing) and the new context; always a report.

export const CompactParamsSchema = z.object({
  ...PlanFields,
  source: CompactionSourceSchema,
  instructions: z.string().optional(),
  /** Id for the record; the server generates one when absent. */
  id: z.string().min(1).optional(),
});
export type CompactParams = z.output<typeof CompactParamsSchema>;
export type CompactParamsInput = z.input<typeof CompactParamsSchema>;

export type CompactResponse = CompactResult;

// --- compaction/import -----------------------------------------------------------
// client → server. Reads a transcript written by another tool (Claude Code, pi,
// OpenAI chat, SWE-agent, mini-swe-agent, OpenHands; detected from the
// content) from disk, imports it and counts every message with the tokenizer
// of the model it names, else of `model`. The server writes nothing: the
// extension stores the session (validating every record, as for every append).
// A file that cannot be read is EngineError `unreadable`; one that is no
// transcript (unknown format, no message) is `invalid_transcript`; both carry
// the problem in words in `data.reason`.
//
// Partial results (LSP's `partialResultToken`): with a token, the records go
// to the client first, server → client, as `$/progress` notifications
// `{ token, value: BodyRecord[] }` of about IMPORT_PAGE_CHARS each, in order,
// IMPORT_PAGE_GAP_MS apart, and the result's `records` is empty. A 2 MB
// transcript then reaches the extension host as pages it parses one at a time
// instead of one message it parses in one go (~20 ms during which nothing else
// runs there).

/** Size of one page of records sent as partial results (characters of JSON; ~1 ms to parse). */
export const IMPORT_PAGE_CHARS = 128_000;
/**
 * Pause between two pages. Node reads whatever the pipe holds (up to 2 MB) and
 * parses every complete message in one turn of the event loop, so pages sent
 * back to back would be parsed together again; spaced, each gets its own turn
 * (~20 ms more for a 2 MB import).
 */
export const IMPORT_PAGE_GAP_MS = 2;

export const ImportParamsSchema = z.object({
  /** Absolute path of the transcript, on the machine both processes run on. */
  path: z.string().min(1),
  /** The model to measure against when the transcript names none (the chat model available now). */
  model: ModelInfoSchema.optional(),
  /** Send the records as partial results under this token (see above). */
  partialResultToken: z.union([z.string().min(1), z.number().int()]).optional(),
});
export type ImportParams = z.output<typeof ImportParamsSchema>;
export type ImportParamsInput = z.input<typeof ImportParamsSchema>;

export interface ImportResult {
  /** The session header: the transcript's model (or `model`), its title (or one from the first request, or `Imported: <file>`). Id and creation time are the store's to assign. */
  header: SessionHeader;
  /** Messages (and, for pi, its own compactions) in transcript order; empty when they went as partial results. */
  records: BodyRecord[];
  /** Records of the transcript that were skipped, with their line. */
  warnings: ImportWarning[];
  /** The encoding the messages were counted with (`estimate` when the tokenizer could not load). */
  encoding: string;
  estimated: boolean;
}

// --- initialize --------------------------------------------------------------------
// client → server (LSP `initialize`). The server announces the protocol under
// `capabilities.experimental.compaction`.

export interface CompactionCapabilities {
  protocolVersion: number;
  methods: Method[];
  encodings: Array<z.infer<typeof EncodingSchema>>;
  tiers: Tier[];
}

// --- Errors --------------------------------------------------------------------------
// server → client, as the `error` of a response.

export const EngineErrorCodes = {
  /** Params failed the schema; the message names each field (JSON-RPC's InvalidParams code). */
  InvalidParams: -32602,
  /**
   * The engine could not produce a result; `data.status` names why. In the
   * implementation-defined server range, clear of vscode-jsonrpc's own codes
   * (-32099…-32096, -32002, -32001).
   */
  EngineError: -32050,
  /** The client cancelled the request (LSP's RequestCancelled code). */
  RequestCancelled: -32800,
} as const;
export type EngineErrorCode = (typeof EngineErrorCodes)[keyof typeof EngineErrorCodes];

/**
 * Named statuses of EngineError. `invalid_log`: the log contradicts itself (a
 * message id twice, a compaction covering or a revert naming what is not in
 * the log), so no record can safely be computed from it. `unreadable`: a file
 * the request names cannot be read (missing, a folder, no permission).
 * `invalid_transcript`: the file is no transcript the importers can read.
 * `internal`: an unexpected exception, logged with its stack by the server.
 */
export const EngineErrorStatusSchema = z.enum(['invalid_log', 'unreadable', 'invalid_transcript', 'internal']);
export type EngineErrorStatus = z.infer<typeof EngineErrorStatusSchema>;

export const InvalidParamsDataSchema = z.object({
  kind: z.literal('InvalidParams'),
  method: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});
export const EngineErrorDataSchema = z.object({
  kind: z.literal('EngineError'),
  method: z.string(),
  status: EngineErrorStatusSchema,
  /** The problem in words, for the user (without the method and status the message starts with); for `unreadable` and `invalid_transcript`. */
  reason: z.string().optional(),
});
export const CancelledDataSchema = z.object({ kind: z.literal('RequestCancelled'), method: z.string() });
export const ErrorDataSchema = z.discriminatedUnion('kind', [InvalidParamsDataSchema, EngineErrorDataSchema, CancelledDataSchema]);
export type InvalidParamsData = z.infer<typeof InvalidParamsDataSchema>;
export type EngineErrorData = z.infer<typeof EngineErrorDataSchema>;
export type ErrorData = z.infer<typeof ErrorDataSchema>;

/** `texts.1`, `log.records.3.parts.0.type`; `(params)` for the object itself. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(params)' : path.map((p) => String(p)).join('.');
}

/** The issues of a failed parse, as `InvalidParams` data and a one-line message naming each field. */
export function describeIssues(method: string, error: z.ZodError): { message: string; data: InvalidParamsData } {
  const issues = error.issues.map((i) => ({ path: issuePath(i.path), message: i.message }));
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more`);
  return {
    message: `${method}: invalid params: ${shown.join('; ')}`,
    data: { kind: 'InvalidParams', method, issues },
  };
}

// --- Transcript features ---------------------------------------------------------

/**
 * Options of the transcript language features (server/features/), client →
 * server: in `initialize`'s `initializationOptions.transcript` and again in
 * `workspace/didChangeConfiguration` (`settings.transcript`) when the user
 * changes `compactor.transcript.*`.
 */
export const TranscriptOptionsSchema = z.object({
  /** A single tool result above this share of the model's window gets a warning. */
  largeToolResultPercent: z.number().int().min(1).max(100).default(10),
});
export type TranscriptOptions = z.output<typeof TranscriptOptionsSchema>;

/**
 * The client command a transcript code lens runs (server → client, in
 * `textDocument/codeLens` results): compact the session up to the message or
 * from it on. Its one argument is `CompactPartialArgs`.
 */
export const COMPACT_PARTIAL_COMMAND = 'compactor.compactPartial';
export const CompactPartialArgsSchema = z.object({
  sessionId: z.string().min(1),
  messageId: z.string().min(1),
  side: z.enum(['upto', 'from']),
});
export type CompactPartialArgs = z.infer<typeof CompactPartialArgsSchema>;

/**
 * Commands the server's transcript code lenses name ("Pin" / "Unpin" above
 * each message of our own logs), and the before/after view's lenses: keep a
 * message verbatim through compaction, or stop. Their one argument is
 * `PinMessageArgs`.
 */
export const PIN_MESSAGE_COMMAND = 'compactor.pinMessage';
export const UNPIN_MESSAGE_COMMAND = 'compactor.unpinMessage';
export const PinMessageArgsSchema = z.object({
  sessionId: z.string().min(1),
  messageId: z.string().min(1),
  /** Where the pin came from (recorded on the pin record). */
  origin: z.string().optional(),
});
export type PinMessageArgs = z.infer<typeof PinMessageArgsSchema>;
