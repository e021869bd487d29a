/**
 * Compaction with the user's model: runs the engine's LLM pipeline
 * (src/compaction/llm) in the extension host, where `vscode.lm` lives, and
 * proposes the record (proposals.ts applies it, now or after a preview or a
 * background preparation). Falls back to the compaction server's deterministic
 * tiers when no model is available, when a deterministic strategy was asked
 * for, or when the pipeline finds nothing to summarize (the server can still
 * cut inside one huge turn or truncate).
 *
 * Statuses are the engine's (`aborted`, `inflated`, `empty_summary`, …), so
 * the callers' circuit breaker counts them like the server's; a model failure
 * the pipeline recovered from (extractive fallback) is a `compacted` result
 * whose report says `fallback: true` and why.
 */
import * as vscode from 'vscode';
import { summarizeCompaction } from '../../src/compaction/llm/pipeline';
import type { Budget } from '../../src/compaction/budget';
import { markOf } from '../../src/compaction/proposal';
import type { Attachment, CompactionRecord, SessionLog } from '../../src/compaction/records';
import { createTimeSlicer } from '../../src/compaction/timeSlicer';
import { createEstimateCounter } from '../../src/compaction/tokens/counter';
import type { Settings } from '../config/settings';
import { workspaceFileReader } from '../llm/fileReader';
import { LmSummarizer, summaryModel } from '../llm/lmSummarizer';
import type { ProposeResult } from './proposals';
import type { CompactRequest } from './sessionCompactions';

/** What the pipeline needs from SessionCompactions (its private parts passed in as functions). */
export interface LlmCompactionHost {
  load(id: string): Promise<SessionLog>;
  budget(log: SessionLog): Budget;
  settings(): Settings;
  /** The record with its summary, attachments and masked parts counted by the server's tokenizer. */
  recount(log: SessionLog, record: CompactionRecord): Promise<CompactionRecord>;
  /** The server's deterministic compaction, proposed (SessionCompactions.proposeDeterministic). */
  deterministic(id: string, request: CompactRequest, token?: vscode.CancellationToken): Promise<ProposeResult>;
  output: vscode.LogOutputChannel;
}

/** Added by extension hooks (before-compaction listeners): merged after the user's instructions. */
export interface CompactionHookInput {
  instructions?: string[];
  attachments?: Attachment[];
}

/**
 * The pipeline budgets with the estimate counter: tiktoken loads only in the
 * compaction server, never in the extension host (it would stall it). The
 * record's counts are then recounted by the server (`recount`) before it is
 * stored, so the log holds real counts whenever the server is up.
 */
const estimate = createEstimateCounter();
export async function proposeWithModel(
  host: LlmCompactionHost,
  id: string,
  request: CompactRequest,
  model: vscode.LanguageModelChat | undefined,
  token?: vscode.CancellationToken,
  hooks: CompactionHookInput = {},
): Promise<ProposeResult> {
  if (request.strategy !== undefined && request.strategy !== 'auto') return host.deterministic(id, request, token);
  const log = await host.load(id);
  const mark = markOf(log);
  const settings = host.settings();
  const chatModel = await summaryModel(settings.summaryModel, model, log.header.model?.id, (m) => host.output.warn(m));
  if (!chatModel) return host.deterministic(id, request, token);

  const controller = new AbortController();
  const subscription = token?.onCancellationRequested(() => controller.abort());
  if (token?.isCancellationRequested) controller.abort();
  try {
    const budget = host.budget(log);
    const result = await summarizeCompaction(log, {
      source: request.source,
      summarizer: new LmSummarizer(chatModel),
      counter: estimate,
      clock: { now: () => Date.now() },
      signal: controller.signal,
      targetTokens: request.targetTokens ?? budget.targetTokens,
      summarizerMaxInputTokens: chatModel.maxInputTokens,
      keepTailTurns: settings.keepTailTurns,
      maskAfterTurns: settings.maskToolResultsAfterTurns,
      fileReader: workspaceFileReader(),
      effectiveWindow: budget.effectiveWindow,
      autoCompactTokens: budget.autoCompactTokens,
      // The pipeline runs in the extension host: a 500K-token session takes ~100 ms of steps before the request.
      slicer: createTimeSlicer(),
      ...(request.partial ? { partial: request.partial } : {}),
      ...(request.instructions ? { instructions: request.instructions } : {}),
      ...(hooks.instructions ? { hookInstructions: hooks.instructions } : {}),
      ...(hooks.attachments ? { attachments: hooks.attachments } : {}),
    });
    if (result.status === 'nothing_to_compact' && !request.partial) return host.deterministic(id, request, token);
    if (result.report.fallback) host.output.warn(`the summary model's answer was not used (${result.report.fallbackReason}); used the extractive summary`);
    if (result.status === 'compacted') {
      if (controller.signal.aborted) return { status: 'aborted', report: { ...result.report, status: 'aborted', reason: 'Cancelled; the session is unchanged.' } };
      const record = await host.recount(log, result.record);
      const report = { ...result.report, after: { ...result.report.after, tokens: record.after.tokens }, tokensSaved: record.before.tokens - record.after.tokens };
      return { status: 'proposed', proposal: { key: record.id, sessionId: id, source: request.source, record, report, mark } };
    }
    return result;
  } finally {
    subscription?.dispose();
  }
}
