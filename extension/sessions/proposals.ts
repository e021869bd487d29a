/**
 * A proposed compaction (computed, not appended) and applying it later: the
 * one path from a compaction record to the log for manual, automatic, idle and
 * prepared compactions (sessionCompactions.ts), and for a preview a person
 * edited first. No vscode import: the log, the counting and the append are
 * injected, so every state is unit-tested in plain Node.
 *
 * Applying checks that the session is still the proposal's log plus new
 * messages (src/compaction/proposal.ts), swaps in an edited summary (recounted),
 * re-measures before/after on the current log, and appends. A proposal whose
 * session changed otherwise is refused with `StaleProposalError`; nothing is
 * written.
 */
import { contextOf } from '../../src/compaction/context';
import { hasMarker, stripMarker, withMarker } from '../../src/compaction/llm/summaryText';
import { changeSince, type LogMark, rebaseRecord } from '../../src/compaction/proposal';
import type { CompactionRecord, CompactionSource, SessionLog } from '../../src/compaction/records';
import type { CompactResult, CompactionReport, CompactStatus } from '../../src/compaction/types';

export interface Proposal {
  /** Names the proposal (preview documents, logs); not the record id. */
  key: string;
  sessionId: string;
  source: CompactionSource;
  /** Complete and counted on the proposal's log; `before`/`after` are re-measured when applied. */
  record: CompactionRecord;
  report: CompactionReport;
  /** The log the record was computed on. */
  mark: LogMark;
}

export type ProposeResult =
  | { status: 'proposed'; proposal: Proposal }
  | { status: Exclude<CompactStatus, 'compacted'>; report: CompactionReport };

/** The session changed in a way the proposal cannot survive; compact again. */
export class StaleProposalError extends Error {
  constructor(readonly reason: string) {
    super(`The session changed (${reason}); compact again.`);
    this.name = 'StaleProposalError';
  }
}

/** The proposal cannot be applied as edited (an empty summary, one that makes the context bigger). */
export class InvalidEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEditError';
  }
}

export interface ApplyHost {
  load(id: string): Promise<SessionLog>;
  /** Tokens of a summary text as the log stores them (the server's tokenizer, or an estimate while it is down). */
  countSummary(log: SessionLog, text: string): Promise<number>;
  append(id: string, record: CompactionRecord): Promise<void>;
}

export interface ApplyOptions {
  /** The summary as the person left it in the preview (the marker is added back); undefined = unchanged. */
  summary?: string;
  /** The proposal was prepared in the background (reported and recorded). */
  prepared?: boolean;
  /** Refuse when the result would be at or above this many tokens (a prepared summary that no longer helps enough). */
  maxAfterTokens?: number;
}

/** The summary as a person edits it: without our marker. */
export function editableSummary(record: CompactionRecord): string {
  return stripMarker(record.summary);
}

/** True when the person's text differs from the proposed summary (ignoring surrounding whitespace). */
export function isEdited(record: CompactionRecord, text: string | undefined): boolean {
  return text !== undefined && text.trim() !== editableSummary(record).trim();
}

export async function applyProposal(host: ApplyHost, proposal: Proposal, options: ApplyOptions = {}): Promise<Extract<CompactResult, { status: 'compacted' }>> {
  const { sessionId } = proposal;
  const stale = (log: SessionLog) => {
    const change = changeSince(proposal.mark, log);
    if (!change.ok) throw new StaleProposalError(change.reason);
  };
  stale(await host.load(sessionId));
  let record: CompactionRecord = { ...proposal.record, ...(options.prepared ? { prepared: true } : {}) };
  const edited = isEdited(proposal.record, options.summary);
  if (edited) {
    const text = (options.summary ?? '').trim();
    if (!text) throw new InvalidEditError('The summary is empty: write one, or Discard the compaction.');
    const summary = hasMarker(proposal.record.summary) ? withMarker(text) : text;
    const summaryTokens = await host.countSummary(await host.load(sessionId), summary);
    record = { ...record, summary, summaryTokens, edited: true };
  }
  // Counting may have awaited the server: check again on the log as it is now, right before appending.
  const log = await host.load(sessionId);
  stale(log);
  const rebased = rebaseRecord(record, log);
  if (!rebased.ok) {
    if (edited) throw new InvalidEditError(`The edited summary does not make the context smaller: ${rebased.reason}.`);
    throw new StaleProposalError(rebased.reason);
  }
  record = rebased.record;
  if (options.maxAfterTokens !== undefined && record.after.tokens >= options.maxAfterTokens) {
    throw new StaleProposalError(`the result (${record.after.tokens} tokens) would still be at the auto-compact level`);
  }
  const context = contextOf({ header: log.header, records: [...log.records, record] });
  await host.append(sessionId, record);
  const report: CompactionReport = {
    ...proposal.report,
    before: { ...proposal.report.before, tokens: record.before.tokens, messages: record.before.messages },
    after: { ...proposal.report.after, tokens: record.after.tokens, messages: record.after.messages },
    tokensSaved: record.before.tokens - record.after.tokens,
    ...(proposal.report.targetTokens !== undefined ? { withinTarget: record.after.tokens <= proposal.report.targetTokens } : {}),
    ...(edited ? { edited: true } : {}),
    ...(options.prepared ? { prepared: true } : {}),
  };
  return { status: 'compacted', record, context, report };
}
