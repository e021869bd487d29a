/**
 * compact(log, options): decides what a compaction does and returns a record
 * to append (or a named status saying why not). Pure apart from the injected
 * counter and clock; the caller appends the record.
 *
 * Strategy 'auto' applies the cheapest tiers that reach `targetTokens`:
 * mask old tool results; if still over, summarize (extractive) everything
 * before the split point; if still over, truncate the oldest rounds of the
 * tail. 'mask' / 'extractive' / 'truncate' force one tier. `partial`
 * summarizes only up to (exclusive) or from (inclusive) a message.
 *
 * Auto uses the whole budget: the summary is sized first (what it needs, at
 * most SUMMARY_MAX_FRACTION_OF_ROOM of the room, more only for the pinned
 * first and latest requests), the verbatim tail takes the rest (split.ts fill
 * mode, cutting between tool rounds when a turn is too big, as in
 * single-request agent runs), and the summary is then given whatever the
 * tail left (the extractive summary fits its budget by the real counter, so
 * the drift reserve is its too). Summaries and truncations that come out over
 * the target are rebuilt with the overshoot removed (FIT_MAX_ATTEMPTS), so
 * auto lands under it.
 * The session's first request is pinned: a summary quotes it, and truncation
 * never drops it.
 * The person's pins (pins.ts) are never masked, summarized or truncated: they
 * stay verbatim in place and their tokens come out of the room first; when
 * they keep the result over the target the report says so (`report.pins`),
 * they are not dropped.
 *
 * Record invariants: `covered` is cumulative (the previous active
 * compaction's covered plus the new ones); `replaced` carries the previous
 * masks of messages still verbatim; a new summary merges the previous one
 * (extractive.ts), it never nests it; without a new summary the previous
 * summary and attachments are carried over unchanged.
 *
 * Statuses: see CompactStatus in types.ts and the README of this folder.
 */
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_KEEP_TAIL_TURNS, DEFAULT_MASK_AFTER_TURNS, FIT_MAX_ATTEMPTS, MESSAGE_OVERHEAD_TOKENS, MIN_MESSAGES_TO_COMPACT, RECALL_AWARE_MASK_AFTER_ROUNDS, SUMMARY_MAX_FRACTION_OF_ROOM, SUMMARY_MAX_TOKENS,
  SUMMARY_FLOOR_TOKENS, SUMMARY_MIN_TOKENS, SUMMARY_OVERHEAD_RESERVE_TOKENS, SUMMARY_PINNED_MAX_FRACTION_OF_ROOM, SUMMARY_REQUESTS_MAX_FRACTION, TAIL_MAX_FRACTION_OF_TARGET,
} from './constants';
import { activeCompaction, contextOf, contextTokens, keptPinIds, messagesOf } from './context';
import { countMessages, finishRecord } from './finishRecord';
import { pinBudget } from './pins';
import type { CompactionRecord, MessageRecord, SessionLog } from './records';
import { buildReport } from './report';
import { findSplitPoint } from './split';
import { createSummaryMemo, extractiveSummary, naturalSummaryTokens, pinnedRequestTokens } from './tiers/extractive';
import { applyReplacements, maskToolResults, type Replacement } from './tiers/mask';
import { truncateOldest } from './tiers/truncate';
import { withStoredCounts } from './tokens/storedCounts';
import { checkFidelity, roundFidelity } from './fidelity';
import { buildLedger, isRequest } from './ledger';
import { safeCuts } from './turns';
import type { CompactOptions, CompactResult, CompactStatus, ContextMessage, TierCount } from './types';

/** Why nothing was summarized when every message of the range is pinned. */
const ALL_PINNED = 'every message to summarize is pinned (pins stay verbatim)';

/** Room kept for the truncation marker when truncating. */
const TRUNCATION_MARKER_RESERVE_TOKENS = 40;

interface Plan {
  covered: Set<string>;
  replaced: Map<string, Replacement>;
  summary: string;
  attachments: NonNullable<CompactOptions['attachments']>;
  tiers: TierCount[];
  /** The new summary's fidelity to the ledger of what it replaces (fidelity.ts). */
  fidelity?: number;
}


export function compact(log: SessionLog, options: CompactOptions): CompactResult {
  const started = options.clock.now();
  const { counter } = options;
  const previous = activeCompaction(log);
  const context = contextOf(log, counter);
  const before = { tokens: contextTokens(context), messages: countMessages(context) };
  const model = log.header.model?.id;
  const report = (status: CompactStatus, after: { tokens: number; messages: number }, tiers: TierCount[], reason?: string) =>
    buildReport({
      status, source: options.source, strategy: options.strategy, tiers, before, after,
      durationMs: options.clock.now() - started, model, reason,
      effectiveWindow: options.effectiveWindow, targetTokens: options.targetTokens,
    });
  const fail = (status: Exclude<CompactStatus, 'compacted'>, reason: string): CompactResult => ({ status, report: report(status, before, [], reason) });

  if (!(options.targetTokens > 0)) return fail('invalid_request', `targetTokens must be positive (got ${options.targetTokens})`);
  const verbatim = context.filter((m) => m.kind === 'message');
  if (verbatim.length < MIN_MESSAGES_TO_COMPACT) return fail('nothing_to_compact', `the session has ${verbatim.length} message(s) in its context; nothing to compact`);

  const plan: Plan = {
    covered: new Set(previous?.covered ?? []),
    replaced: new Map((previous?.replaced ?? []).map((r) => [r.messageId, r])),
    summary: previous?.summary ?? '',
    attachments: previous?.attachments ?? [],
    tiers: [],
  };
  // Pins stay verbatim; one pinned after an earlier compaction covered or masked it is uncovered for good.
  const pins = keptPinIds(log);
  for (const id of pins) {
    plan.covered.delete(id);
    plan.replaced.delete(id);
  }
  const isPin = (m: ContextMessage) => pins.has(m.messageId ?? '');
  const records = new Map(messagesOf(log).map((m) => [m.id, m]));
  const fixed = contextTokens(context.filter((m) => m.kind === 'system'));
  const attachmentTokens = (options.attachments ?? []).reduce((s, a) => s + a.tokens, 0);

  // The summaries of this compaction (sizing, then writing, maybe rewriting) share one scan of each message and one learned estimate.
  const summaryMemo = createSummaryMemo();
  const sourcesOf = (range: readonly ContextMessage[]) =>
    range.map((m) => records.get(m.messageId ?? '')).filter((m): m is MessageRecord => m !== undefined);
  const summaryTokensOf = (text: string) => (text ? counter.countParts([{ type: 'text', text }]) : 0);
  /** Tokens a new summary and the verbatim messages may share (attachments of the new summary and a reserve taken out). */
  const room = () => options.targetTokens - fixed - attachmentTokens - SUMMARY_OVERHEAD_RESERVE_TOKENS;

  /** Replaces `range` (verbatim context messages) and the previous summary by one new summary. */
  const summarize = (asked: readonly ContextMessage[], others: readonly ContextMessage[]): string | undefined => {
    // Pinned messages in the range stay verbatim: they count with the kept part.
    const range = pins.size > 0 ? asked.filter((m) => !isPin(m)) : asked;
    const rest = range.length < asked.length ? [...asked.filter(isPin), ...others] : others;
    if (range.length === 0) return ALL_PINNED;
    const sources = sourcesOf(range);
    // One ledger for every fitting attempt and the fidelity check (the scans are memoized; the build is not).
    const ledger = buildLedger(sources, summaryMemo.facts);
    const input = { messages: sources, ledger, previousSummary: previous?.summary, instructions: options.instructions };
    const restTokens = contextTokens(rest);
    // A summary smaller than SUMMARY_MIN_TOKENS only to fit a small room; when not even SUMMARY_FLOOR_TOKENS fit, the
    // result is over the target anyway (the kept part alone is too big) and the summary keeps its minimum.
    const avail = room() - restTokens;
    const floor = avail >= SUMMARY_FLOOR_TOKENS ? Math.min(SUMMARY_MIN_TOKENS, avail) : SUMMARY_MIN_TOKENS;
    // The extractive summary is fitted by the real counter (no drift), so the reserve, less its message framing, is its too.
    let budgetTokens = Math.min(SUMMARY_MAX_TOKENS, Math.max(floor, avail + SUMMARY_OVERHEAD_RESERVE_TOKENS - MESSAGE_OVERHEAD_TOKENS));
    let text = '';
    // The summary fits its budget by the real counter; over the target only when raised to its floor or when not even
    // its skeleton fits: then rebuild with the overshoot removed (a smaller room may still help).
    for (let attempt = 0; attempt < FIT_MAX_ATTEMPTS; attempt++) {
      text = extractiveSummary(input, { budgetTokens, counter, memo: summaryMemo });
      const over = fixed + attachmentTokens + summaryTokensOf(text) + restTokens - options.targetTokens;
      if (!text || over <= 0 || budgetTokens <= floor) break;
      budgetTokens = Math.max(floor, budgetTokens - over - SUMMARY_OVERHEAD_RESERVE_TOKENS);
    }
    if (!text) return 'the messages to summarize hold no text, tool calls or results';
    for (const m of sources) {
      plan.covered.add(m.id);
      plan.replaced.delete(m.id);
    }
    plan.summary = text;
    plan.fidelity = roundFidelity(checkFidelity(text, ledger).fidelity);
    plan.attachments = options.attachments ?? [];
    plan.tiers.push({ tier: 'summarize', count: sources.length });
    if (plan.attachments.length > 0) plan.tiers.push({ tier: 'restore', count: plan.attachments.length });
    return undefined;
  };
  const current = () => applyReplacements(verbatim, [...plan.replaced.values()]).filter((m) => !plan.covered.has(m.messageId ?? ''));
  const estimate = () =>
    fixed + summaryTokensOf(plan.summary) + plan.attachments.reduce((s, a) => s + a.tokens, 0) + contextTokens(current());

  const mask = () => {
    const r = maskToolResults(current(), {
      maskAfterTurns: options.maskAfterTurns ?? DEFAULT_MASK_AFTER_TURNS,
      ...(options.recallAwareMasking ? { maskAfterRounds: RECALL_AWARE_MASK_AFTER_ROUNDS } : {}),
      counter,
      keep: pins,
    });
    for (const x of r.replaced) plan.replaced.set(x.messageId, x);
    if (r.masked > 0) plan.tiers.push({ tier: 'mask', count: r.masked });
  };
  // The session's first request, while it is still verbatim, is never dropped by truncation.
  // The importer says what a request is (a demonstration or an expanded command template is not one).
  const firstRequest = messagesOf(log).find(isRequest)?.id;
  const truncate = () => {
    const msgs = current();
    const pinned = new Set(firstRequest && !plan.covered.has(firstRequest) ? [firstRequest] : []);
    const others = fixed + summaryTokensOf(plan.summary) + plan.attachments.reduce((s, a) => s + a.tokens, 0);
    let maxTokens = options.targetTokens - others - TRUNCATION_MARKER_RESERVE_TOKENS;
    // The marker quotes dropped requests, cut by tokens: their stored counts answer (a cold counter re-tokenizes nothing).
    const quoted = withStoredCounts(counter, sourcesOf(msgs));
    let r = truncateOldest(msgs, { maxTokens: Math.max(0, maxTokens), pinned, kept: pins, counter: quoted });
    // The marker quotes the dropped requests: when it pushes the result over, drop more.
    for (let attempt = 1; attempt < FIT_MAX_ATTEMPTS && r.dropped.length > 0; attempt++) {
      const summary = plan.summary ? `${plan.summary}\n\n${r.marker}` : r.marker;
      const dropped = new Set(r.dropped);
      const over = options.targetTokens - (estimateWith(summary) + contextTokens(msgs.filter((m) => !dropped.has(m.messageId ?? ''))));
      if (over >= 0) break;
      maxTokens += over;
      r = truncateOldest(msgs, { maxTokens: Math.max(0, maxTokens), pinned, kept: pins, counter: quoted });
    }
    if (r.dropped.length === 0) return;
    for (const id of r.dropped) {
      plan.covered.add(id);
      plan.replaced.delete(id);
    }
    plan.summary = plan.summary ? `${plan.summary}\n\n${r.marker}` : r.marker;
    plan.tiers.push({ tier: 'truncate', count: r.dropped.length });
  };
  const estimateWith = (summary: string) => fixed + summaryTokensOf(summary) + plan.attachments.reduce((s, a) => s + a.tokens, 0);
  /** `fill` (auto): the tail takes what the summary does not need; otherwise keepTailTurns turns within TAIL_MAX_FRACTION_OF_TARGET. */
  const summarizeBeforeSplit = (fill: boolean): string | undefined => {
    const msgs = current();
    const keepTailTurns = options.keepTailTurns ?? DEFAULT_KEEP_TAIL_TURNS;
    let split = 0;
    // Pins stay whatever the split: they take their tokens out of the room and weigh nothing in the tail.
    const pinTokens = contextTokens(msgs.filter(isPin));
    const forSplit = pinTokens > 0 ? msgs.map((m) => (isPin(m) ? { ...m, tokens: 0 } : m)) : msgs;
    if (fill) {
      const input = { messages: sourcesOf(msgs.filter((m) => !isPin(m))), previousSummary: previous?.summary, instructions: options.instructions };
      const r = room() - pinTokens;
      const pinned = pinnedRequestTokens(input, counter, summaryMemo) / SUMMARY_REQUESTS_MAX_FRACTION;
      const cap = Math.min(SUMMARY_MAX_TOKENS, Math.max(r * SUMMARY_MAX_FRACTION_OF_ROOM, Math.min(pinned, r * SUMMARY_PINNED_MAX_FRACTION_OF_ROOM)));
      // What the summary needs: its natural size up to the cap (measured over everything, a slight overestimate; the
      // cap itself when candidates must be left out).
      const naturalText = naturalSummaryTokens(input, { budgetTokens: Math.floor(cap), counter, memo: summaryMemo });
      const natural = naturalText > 0 ? naturalText + MESSAGE_OVERHEAD_TOKENS : 0;
      const need = Math.max(Math.min(SUMMARY_MIN_TOKENS, cap), natural);
      const tailTokens = Math.max(0, r - need);
      split = findSplitPoint(forSplit, { keepTailTurns, targetTailTokens: tailTokens, fill: true, roundCuts: true });
      // Even the last round leaves the summary no room (a tiny target): summarize everything, the requests stay quoted.
      if (split > 0 && contextTokens(forSplit.slice(split)) > tailTokens) return summarize(msgs, []);
    }
    // Everything fits already (a compaction asked for below the target): summarize all but the last turns, as asked.
    if (!fill || split === 0) {
      const tailTarget = Math.floor(options.targetTokens * TAIL_MAX_FRACTION_OF_TARGET);
      split = findSplitPoint(forSplit, { keepTailTurns, targetTailTokens: tailTarget, roundCuts: true });
    }
    if (split === 0) return undefined;
    return summarize(msgs.slice(0, split), msgs.slice(split));
  };

  let error: string | undefined;
  if (options.partial) {
    const msgs = current();
    const id = 'upto' in options.partial ? options.partial.upto : options.partial.from;
    let k = msgs.findIndex((m) => m.messageId === id);
    if (k < 0) return fail('invalid_request', `message ${id} is not in the current context (unknown, or already compacted)`);
    const safe = safeCuts(msgs);
    // Snap to a cut that keeps tool calls with their results.
    if ('upto' in options.partial) while (!safe[k]) k++;
    else while (!safe[k]) k--;
    const [range, rest] = 'upto' in options.partial ? [msgs.slice(0, k), msgs.slice(k)] : [msgs.slice(k), msgs.slice(0, k)];
    if (range.length === 0) return fail('nothing_to_compact', 'no messages on the side to summarize');
    error = summarize(range, rest);
  } else if (options.strategy === 'mask') {
    mask();
  } else if (options.strategy === 'extractive') {
    error = summarizeBeforeSplit(false);
  } else if (options.strategy === 'truncate') {
    truncate();
  } else {
    mask();
    const masked = plan.tiers.length > 0;
    if (!masked || estimate() > options.targetTokens) error = summarizeBeforeSplit(true);
    if (estimate() > options.targetTokens) truncate();
  }
  if (error && plan.tiers.length === 0) return fail(error === ALL_PINNED ? 'nothing_to_compact' : 'empty_summary', error);
  if (plan.tiers.length === 0) return fail('nothing_to_compact', `strategy ${options.strategy} found nothing to mask, summarize or drop`);

  const record = buildRecord(log, options, plan, before, started);
  const done = finishRecord(log, record, { before, targetTokens: options.targetTokens, counter, clock: options.clock, started });
  if (done.status === 'invalid_request') return fail('invalid_request', done.reason);
  if (done.status === 'inflated') return { status: 'inflated', report: report('inflated', done.after, plan.tiers, done.reason) };
  const pinned = pinBudget(done.context, options.targetTokens);
  const withPins = (r: CompactResult['report']) => {
    if (pinned.messages === 0) return r;
    r.pins = pinned;
    if (pinned.note) r.reason = r.reason ? `${r.reason}; ${pinned.note}` : pinned.note;
    return r;
  };
  if (done.over && options.requireTarget) return { status: 'over_target', report: withPins(report('over_target', done.after, plan.tiers, done.reason)) };
  const r = withPins(report('compacted', done.after, plan.tiers, done.reason));
  if (record.fidelity !== undefined) r.fidelity = record.fidelity;
  return { status: 'compacted', record, context: done.context, report: r };
}

function buildRecord(log: SessionLog, options: CompactOptions, plan: Plan, before: { tokens: number; messages: number }, started: number): CompactionRecord {
  const order = messagesOf(log).map((m) => m.id);
  const covered = order.filter((id) => plan.covered.has(id));
  const replaced = order.map((id) => plan.replaced.get(id)).filter((r): r is Replacement => r !== undefined && !plan.covered.has(r.messageId));
  const summaryTokens = plan.summary ? options.counter.countParts([{ type: 'text', text: plan.summary }]) : 0;
  const record: CompactionRecord = {
    type: 'compaction',
    id: options.id ?? `compaction-${started.toString(36)}-${randomUUID().slice(0, 8)}`,
    at: new Date(started).toISOString(),
    source: options.source,
    strategy: options.strategy,
    tiers: plan.tiers,
    covered,
    replaced,
    summary: plan.summary,
    summaryTokens,
    attachments: plan.attachments,
    before,
    after: before,
    durationMs: 0,
  };
  if (log.header.model?.id) record.model = log.header.model.id;
  if (options.instructions) record.instructions = options.instructions;
  if (plan.fidelity !== undefined && plan.tiers.some((t) => t.tier === 'summarize')) record.fidelity = plan.fidelity;
  return record;
}

