/**
 * summarizeCompaction(log, options): the summarize tier written by a model
 * (docs/architecture.md, Compaction). Returns a CompactResult like the planner's
 * `compact`: a record to append, or a named status that leaves the session
 * unchanged; the caller appends.
 *
 * Steps: mask old tool results (tier 1, so the model reads stubs, not old
 * outputs); pick the part to summarize (before the split point that keeps the
 * recent turns verbatim, or one side of a partial compaction); ask the model
 * (request.ts: window fit, "too long" and transient retries); reject empty,
 * error and inflated summaries, falling back to the extractive summary
 * (`report.fallback`); re-attach recently read files and the todo state
 * (restore.ts); build and check the record.
 *
 * Record invariants (as in planner.ts): `covered` is cumulative; `replaced`
 * keeps the masks of messages still verbatim; a previous summary is handed to
 * the model to UPDATE (one summary, never nested); our summaries start with
 * SUMMARY_MARKER. Cancellation (`signal`) returns `aborted` with no record.
 * Pins (pins.ts) are never masked or summarized: they leave the range for the
 * kept part, and a pin placed after an earlier compaction uncovers its message.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_KEEP_TAIL_TURNS, DEFAULT_MASK_AFTER_TURNS, MIN_MESSAGES_TO_COMPACT, SUMMARY_MAX_TOKENS, SUMMARY_MIN_TOKENS, TAIL_MAX_FRACTION_OF_TARGET } from '../constants';
import { activeCompaction, contextOf, contextTokens, keptPinIds, messagesOf } from '../context';
import { countMessages, finishRecord } from '../finishRecord';
import { pinBudget } from '../pins';
import type { Attachment, CompactionRecord, CompactionSource, MessageRecord, SessionLog } from '../records';
import { buildReport } from '../report';
import { findSplitPoint } from '../split';
import { checkFidelity, repairSummary, roundFidelity } from '../fidelity';
import { buildLedgerInSlices, scanInSlices } from '../ledger';
import { createSummaryMemo, extractiveSummary } from '../tiers/extractive';
import { applyReplacements, maskToolResults, type Replacement } from '../tiers/mask';
import { NO_SLICING, pause, type TimeSlicer } from '../timeSlicer';
import { safeCuts } from '../turns';
import type { Clock, CompactResult, CompactStatus, CompactionReport, ContextMessage, SummarizerReport, TierCount, TokenCounter } from '../types';
import { SUMMARY_OUTPUT_MAX_FRACTION_OF_WINDOW, SUMMARY_OUTPUT_MAX_TOKENS } from './llmConstants';
import { requestSummary, type Scope, type SummaryOutcome } from './request';
import { readPaths, restoreFiles, todoAttachment } from './restore';
import { type FileReader, realSleep, type Sleep, type Summarizer } from './summarizer';
import { stripMarker, withMarker } from './summaryText';
import { roundsOf } from './transcript';

/** Room kept for the summary's framing when sizing the extractive fallback. */
const FALLBACK_RESERVE_TOKENS = 32;
/** The ledger given to the model as ground truth: at most this many tokens, and this share of its window. */
const LEDGER_PROMPT_MAX_TOKENS = 4_000;
const LEDGER_PROMPT_MAX_FRACTION_OF_WINDOW = 0.1;

export interface LlmCompactOptions {
  source: CompactionSource;
  summarizer: Summarizer;
  counter: TokenCounter;
  clock: Clock;
  /** Cancels everything; the result is then `aborted` and nothing is appended. */
  signal: AbortSignal;
  /** Tokens the context should fit in after compaction. */
  targetTokens: number;
  /** The summary model's input window (tokens). */
  summarizerMaxInputTokens: number;
  summarizerMaxOutputTokens?: number;
  /** Partial compaction: summarize only up to (exclusive) or from (inclusive) this message id. */
  partial?: { upto: string } | { from: string };
  keepTailTurns?: number;
  maskAfterTurns?: number;
  /** The user's custom instructions (`/compact focus on …`); they come first. */
  instructions?: string;
  /** Instructions added by extension hooks (before-compaction listeners), after the user's. */
  hookInstructions?: readonly string[];
  /** Attachments added by hooks, kept after the restored files. */
  attachments?: readonly Attachment[];
  /** Reads files to re-attach; without it nothing is restored. */
  fileReader?: FileReader;
  /** Backoff pauses between transient retries (tests inject an instant one). */
  sleep?: Sleep;
  /** The effective window, to report utilisation before/after. */
  effectiveWindow?: number;
  /** The auto-compact threshold in tokens: the report says whether the result is still at or above it. */
  autoCompactTokens?: number;
  /** Id for the compaction record (generated when absent). */
  id?: string;
  /**
   * Gives the event loop a turn between steps (the extension host, where the
   * pipeline runs next to every other extension); none by default. Each step
   * stays synchronous, so a slice is at most the budget plus one step; the two
   * longest (masking, the transcript) start a slice of their own.
   */
  slicer?: TimeSlicer;
}

const tokensOfText = (text: string, counter: TokenCounter) => (text ? counter.countParts([{ type: 'text', text }]) : 0);

export async function summarizeCompaction(log: SessionLog, options: LlmCompactOptions): Promise<CompactResult> {
  const started = options.clock.now();
  const { counter, signal } = options;
  const slicer = options.slicer ?? NO_SLICING;
  const previous = activeCompaction(log);
  const context = contextOf(log, counter);
  await pause(slicer);
  const before = { tokens: contextTokens(context), messages: countMessages(context) };
  const model = options.summarizer.model ?? log.header.model?.id;
  const tiers: TierCount[] = [];
  const summarizer: SummarizerReport = { ...(model ? { model } : {}), usageReported: false, calls: 0, promptTooLongRetries: 0, transientRetries: 0, droppedRounds: 0 };
  let fallbackReason: string | undefined;
  const report = (status: CompactStatus, after: { tokens: number; messages: number }, strategy: string, reason?: string): CompactionReport => {
    const r = buildReport({
      status, source: options.source, strategy, tiers, before, after, durationMs: options.clock.now() - started, model, reason,
      effectiveWindow: options.effectiveWindow, targetTokens: options.targetTokens,
    });
    if (summarizer.calls > 0) r.summarizer = { ...summarizer };
    if (fallbackReason !== undefined) {
      r.fallback = true;
      r.fallbackReason = fallbackReason;
    }
    if (status === 'compacted' && options.autoCompactTokens !== undefined) r.retriggersAutoCompact = after.tokens >= options.autoCompactTokens;
    return r;
  };
  const fail = (status: Exclude<CompactStatus, 'compacted'>, reason: string): CompactResult => ({ status, report: report(status, before, 'llm', reason) });
  const aborted = () => fail('aborted', 'Cancelled; the session is unchanged.');

  if (signal.aborted) return aborted();
  if (!(options.targetTokens > 0)) return fail('invalid_request', `targetTokens must be positive (got ${options.targetTokens})`);
  const verbatim = context.filter((m) => m.kind === 'message');
  if (verbatim.length < MIN_MESSAGES_TO_COMPACT) return fail('nothing_to_compact', `the session has ${verbatim.length} message(s) in its context; nothing to compact`);

  // Tier 1: old tool results become stubs (the model reads stubs, and they stay stubs in the tail).
  const pins = keptPinIds(log);
  const replaced = new Map<string, Replacement>((previous?.replaced ?? []).filter((r) => !pins.has(r.messageId)).map((r) => [r.messageId, r]));
  await slicer.yield(); // the longest step (every old tool result): a slice of its own
  const masked = maskToolResults(verbatim, { maskAfterTurns: options.maskAfterTurns ?? DEFAULT_MASK_AFTER_TURNS, counter, keep: pins });
  for (const r of masked.replaced) replaced.set(r.messageId, r);
  if (masked.masked > 0) tiers.push({ tier: 'mask', count: masked.masked });
  await pause(slicer);
  const current = applyReplacements(verbatim, [...replaced.values()]);
  await pause(slicer);

  const picked = pickRange(current, options);
  if ('error' in picked) return fail(picked.status, picked.error);
  const { scope } = picked;
  // Pinned messages in the range stay verbatim, with the kept part.
  const isPin = (m: ContextMessage) => pins.has(m.messageId ?? '');
  const range = picked.range.filter((m) => !isPin(m));
  const rest = [...picked.range.filter(isPin), ...picked.rest];
  if (range.length === 0) return fail('nothing_to_compact', 'every message to summarize is pinned (pins stay verbatim)');

  const records = new Map(messagesOf(log).map((m) => [m.id, m]));
  const recordsOf = (msgs: readonly ContextMessage[]) => msgs.map((m) => records.get(m.messageId ?? '')).filter((m): m is MessageRecord => m !== undefined);
  const fixed = contextTokens(context.filter((m) => m.kind === 'system'));
  const restTokens = contextTokens(rest);
  const rangeTokens = contextTokens(range);
  const previousSummary = previous?.summary ? stripMarker(previous.summary) : undefined;

  // Tier 2: the model's summary, or the extractive one when the model fails.
  const window = Math.max(1, options.summarizerMaxInputTokens);
  await slicer.yield(); // the transcript of everything summarized: a slice of its own
  const rounds = roundsOf(range, counter);
  await pause(slicer);
  // The artifact ledger of what is summarized: ground truth in the prompt, and what the answer is checked against.
  const rangeRecords = recordsOf(range);
  // Each message is scanned once, in slices; the ledger, its text and a fallback summary reuse the scans.
  const memo = createSummaryMemo();
  await scanInSlices(rangeRecords, memo.facts, slicer);
  const ledger = await buildLedgerInSlices(rangeRecords, memo.facts, slicer);
  await pause(slicer);
  const ledgerText = extractiveSummary(
    { messages: rangeRecords, ledger },
    { budgetTokens: Math.floor(Math.min(LEDGER_PROMPT_MAX_TOKENS, window * LEDGER_PROMPT_MAX_FRACTION_OF_WINDOW)), counter, memo },
  );
  await pause(slicer);
  const outcome: SummaryOutcome = await requestSummary({
    rounds,
    slicer,
    scope,
    ...(previousSummary ? { previousSummary } : {}),
    instructions: [options.instructions ?? '', ...(options.hookInstructions ?? [])],
    ...(ledgerText ? { ledger: ledgerText } : {}),
    summarizer: options.summarizer,
    counter,
    signal,
    sleep: options.sleep ?? realSleep,
    maxInputTokens: window,
    maxOutputTokens: Math.max(1, Math.min(SUMMARY_OUTPUT_MAX_TOKENS, Math.floor(window * SUMMARY_OUTPUT_MAX_FRACTION_OF_WINDOW), options.summarizerMaxOutputTokens ?? Infinity)),
  });
  Object.assign(summarizer, {
    usageReported: outcome.ok && outcome.inputTokens !== undefined,
    calls: outcome.attempts.calls,
    promptTooLongRetries: outcome.attempts.promptTooLong,
    transientRetries: outcome.attempts.transient,
    droppedRounds: outcome.attempts.droppedRounds,
  });
  if (!outcome.ok && outcome.failure === 'aborted') return aborted();

  let summary: string | undefined;
  let fidelity: number | undefined;
  if (outcome.ok) {
    summarizer.inputTokens = outcome.inputTokens ?? outcome.countedInputTokens;
    summarizer.outputTokens = outcome.outputTokens ?? outcome.countedOutputTokens;
    // The fidelity check: tracked facts the model lost are added back from the ledger; the score is before the repair.
    const check = checkFidelity(outcome.text, ledger);
    fidelity = check.fidelity;
    const text = withMarker(repairSummary(outcome.text, check.lost, counter));
    const replacedTokens = rangeTokens + (previous?.summary ? previous.summaryTokens : 0);
    const tokens = tokensOfText(text, counter);
    if (tokens >= replacedTokens) {
      summarizer.failure = 'inflated';
      fallbackReason = `the model's summary (${tokens} tokens) was not smaller than what it replaces (${replacedTokens} tokens)`;
    } else summary = text;
  } else {
    if (outcome.failure !== 'aborted') summarizer.failure = outcome.failure;
    fallbackReason = outcome.reason;
  }
  if (summary === undefined) {
    const budgetTokens = Math.min(SUMMARY_MAX_TOKENS, Math.max(SUMMARY_MIN_TOKENS, options.targetTokens - fixed - restTokens - FALLBACK_RESERVE_TOKENS));
    summary = extractiveSummary({ messages: rangeRecords, ledger, ...(previous?.summary ? { previousSummary: previous.summary } : {}), ...(options.instructions ? { instructions: options.instructions } : {}) }, { budgetTokens, counter, memo });
    if (!summary) return fail('empty_summary', `the messages to summarize hold no text, tool calls or results (and ${fallbackReason ?? 'the model failed'})`);
    fidelity = checkFidelity(summary, ledger).fidelity;
  }
  const strategy = fallbackReason === undefined ? 'llm' : 'extractive';
  const summaryTokens = tokensOfText(summary, counter);
  tiers.push({ tier: 'summarize', count: range.length });
  await pause(slicer);

  // Tier 3: the todo state and the files read most recently, within what the target (and the size before) leaves.
  const covered = new Set([...(previous?.covered ?? []).filter((id) => !pins.has(id)), ...range.map((m) => m.messageId ?? '')]);
  const coveredRecords = messagesOf(log).filter((m) => covered.has(m.id));
  const tailRecords = recordsOf(rest);
  const hookAttachments = [...(options.attachments ?? [])];
  let room = Math.min(options.targetTokens, before.tokens - 1) - fixed - summaryTokens - restTokens - hookAttachments.reduce((s, a) => s + a.tokens, 0);
  const restored: Attachment[] = [];
  const todo = todoAttachment(coveredRecords, tailRecords, counter);
  if (todo && todo.tokens <= room) {
    restored.push(todo);
    room -= todo.tokens;
  }
  if (options.fileReader) {
    const inTail = new Set(readPaths(tailRecords));
    const paths = readPaths(coveredRecords).filter((p) => !inTail.has(p));
    restored.push(...(await restoreFiles(paths, options.fileReader, counter, room)));
    if (signal.aborted) return aborted();
  }
  if (restored.length > 0) tiers.push({ tier: 'restore', count: restored.length });
  await pause(slicer);

  const order = messagesOf(log).map((m) => m.id);
  const record: CompactionRecord = {
    type: 'compaction',
    id: options.id ?? `compaction-${started.toString(36)}-${randomUUID().slice(0, 8)}`,
    at: new Date(started).toISOString(),
    source: options.source,
    strategy,
    tiers,
    covered: order.filter((id) => covered.has(id)),
    replaced: order.map((id) => replaced.get(id)).filter((r): r is Replacement => r !== undefined && !covered.has(r.messageId)),
    summary,
    summaryTokens,
    attachments: [...restored, ...hookAttachments],
    before,
    after: before,
    durationMs: 0,
    ...(model ? { model } : {}),
    ...(options.instructions ? { instructions: options.instructions } : {}),
    ...(fidelity !== undefined ? { fidelity: roundFidelity(fidelity) } : {}),
  };
  await pause(slicer);
  const done = finishRecord(log, record, { before, targetTokens: options.targetTokens, counter, clock: options.clock, started });
  if (done.status === 'invalid_request') return fail('invalid_request', done.reason);
  if (done.status === 'inflated') return { status: 'inflated', report: report('inflated', done.after, strategy, done.reason) };
  const result = report('compacted', done.after, strategy, done.reason);
  if (record.fidelity !== undefined) result.fidelity = record.fidelity;
  const pinned = pinBudget(done.context, options.targetTokens);
  if (pinned.messages > 0) {
    result.pins = pinned;
    if (pinned.note) result.reason = result.reason ? `${result.reason}; ${pinned.note}` : pinned.note;
  }
  return { status: 'compacted', record, context: done.context, report: result };
}

type Picked =
  | { range: ContextMessage[]; rest: ContextMessage[]; scope: Scope }
  | { error: string; status: 'nothing_to_compact' | 'invalid_request' };

/** The messages to summarize and the ones kept verbatim; cuts never separate a tool call from its result. */
function pickRange(current: ContextMessage[], options: LlmCompactOptions): Picked {
  if (options.partial) {
    const upto = 'upto' in options.partial;
    const id = upto ? (options.partial as { upto: string }).upto : (options.partial as { from: string }).from;
    let k = current.findIndex((m) => m.messageId === id);
    if (k < 0) return { status: 'invalid_request', error: `message ${id} is not in the current context (unknown, or already compacted)` };
    const safe = safeCuts(current);
    if (upto) while (!safe[k]) k++;
    else while (!safe[k]) k--;
    const [range, rest] = upto ? [current.slice(0, k), current.slice(k)] : [current.slice(k), current.slice(0, k)];
    if (range.length === 0) return { status: 'nothing_to_compact', error: 'no messages on the side to summarize' };
    return { range, rest, scope: upto ? 'upto' : 'from' };
  }
  const keepTailTurns = options.keepTailTurns ?? DEFAULT_KEEP_TAIL_TURNS;
  // Round cuts: a one-request agent run (every message in one turn) is summarized up to its recent tool rounds,
  // which stay verbatim; a cut never separates a tool call from its result.
  const split = findSplitPoint(current, { keepTailTurns, targetTailTokens: Math.floor(options.targetTokens * TAIL_MAX_FRACTION_OF_TARGET), roundCuts: true });
  if (split === 0) return { status: 'nothing_to_compact', error: `the session has no turn or tool round older than the ${keepTailTurns} turn(s) kept verbatim; nothing to summarize` };
  return { range: current.slice(0, split), rest: current.slice(split), scope: 'full' };
}
