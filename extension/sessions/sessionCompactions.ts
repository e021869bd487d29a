import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { Budget } from '../../src/compaction/budget';
import { FALLBACK_MAX_INPUT_TOKENS } from '../../src/compaction/constants';
import { activeCompaction, contextOf, messagesOf } from '../../src/compaction/context';
import { pinnedIdsAmong, pinRecord } from '../../src/compaction/pins';
import type { CompactParamsInput, CompactResponse } from '../../src/compaction/protocol';
import type { CompactionRecord, CompactionSource, ModelInfo, Part, RevertRecord, SessionLog } from '../../src/compaction/records';
import { createEstimateCounter } from '../../src/compaction/tokens/counter';
import type { Configuration } from '../config/configuration';
import type { EngineClient } from '../engine/engineClient';
import { collectHooks, type DidCompactEvent, type WillCompactListener } from '../api/compactionHooks';
import { CircuitBreaker } from './autoCompaction';
import { compactWithModel as llmCompact, type CompactionHookInput } from './llmCompaction';
import type { AppendableRecord } from './sessionStore';

const noop = (): void => undefined;

export interface CompactRequest {
  source: CompactionSource;
  instructions?: string;
  strategy?: 'auto' | 'mask' | 'extractive' | 'truncate';
  partial?: { upto: string } | { from: string };
  /** Overrides the target level (tokens). */
  targetTokens?: number;
}

export type CompactionFinished =
  | { sessionId: string; source: CompactionSource; result: CompactResponse; error?: undefined }
  | { sessionId: string; source: CompactionSource; result?: undefined; error: unknown };

/** What compactions need from the SessionService (its private parts passed in as functions). */
export interface CompactionSessions {
  load(id: string): Promise<SessionLog>;
  budget(log: SessionLog): Budget;
  countWith(model: ModelInfo | undefined, messages: Part[][]): Promise<{ counts: number[]; encoding: string }>;
  /** Appends the records to the log, then fires the service's change event of this kind. */
  append(id: string, records: AppendableRecord[], kind: 'compaction' | 'revert' | 'pin'): Promise<void>;
}

/**
 * The compactions of the sessions (`SessionService.compactions`): every entry
 * point (manual, automatic, idle, the API) goes through `compactWithModel`,
 * which runs one session's compactions one after another, asks the
 * before-compaction hooks of other extensions, and reports each outcome once.
 * Also owns the per-session circuit breakers and reverting a compaction.
 */
export class SessionCompactions implements vscode.Disposable {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly estimate = createEstimateCounter();
  private readonly compactStartEmitter = new vscode.EventEmitter<{ sessionId: string; source: CompactionSource }>();
  /** A compaction is about to start (before it waits for one already running on the session). */
  readonly onWillCompact = this.compactStartEmitter.event;
  /** The compaction running (or queued last) per session: compactions of one session run one after another. */
  private readonly compacting = new Map<string, Promise<unknown>>();
  private readonly willCompactListeners: WillCompactListener[] = [];
  private readonly finishedEmitter = new vscode.EventEmitter<CompactionFinished>();
  /**
   * Once per compaction, whatever its outcome, after the log recorded it (or
   * after it failed): what telemetry reports. Every entry point goes through
   * compactWithModel, so no caller reports on its own.
   */
  readonly onDidFinishCompaction = this.finishedEmitter.event;
  private readonly didCompactEmitter = new vscode.EventEmitter<DidCompactEvent>();
  /** After every compaction through compactWithModel that changed a session (the extension API's hook). */
  readonly onDidCompact = this.didCompactEmitter.event;

  constructor(
    private readonly sessions: CompactionSessions,
    private readonly engine: EngineClient,
    private readonly config: Configuration,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  isCompacting(id: string): boolean {
    return this.compacting.has(id);
  }

  breaker(id: string): CircuitBreaker {
    let breaker = this.breakers.get(id);
    if (!breaker) {
      breaker = new CircuitBreaker({ maxConsecutiveFailures: this.config.settings.circuitBreakerFailures });
      this.breakers.set(id, breaker);
    }
    return breaker;
  }

  /** Drops the state kept for a deleted session. */
  forget(id: string): void {
    this.breakers.delete(id);
  }

  /**
   * Runs the deterministic tiers in the compaction server and appends the
   * record when the result is `compacted`. Other outcomes leave the session
   * unchanged and are returned for the caller to show.
   */
  async compact(id: string, request: CompactRequest, token?: vscode.CancellationToken): Promise<CompactResponse> {
    const log = await this.sessions.load(id);
    const settings = this.config.settings;
    const model = log.header.model;
    const params: CompactParamsInput = {
      log,
      ...(model ? { model } : { model: { maxInputTokens: FALLBACK_MAX_INPUT_TOKENS } }),
      levels: settings.levels,
      strategy: request.strategy ?? 'auto',
      source: request.source,
      keepTailTurns: settings.keepTailTurns,
      maskAfterTurns: settings.maskToolResultsAfterTurns,
      ...(request.partial ? { partial: request.partial } : {}),
      ...(request.instructions ? { instructions: request.instructions } : {}),
      ...(request.targetTokens ? { targetTokens: request.targetTokens } : {}),
    };
    const result = await this.engine.compact(params, token);
    if (token?.isCancellationRequested) {
      return { status: 'aborted', report: { ...result.report, status: 'aborted', reason: 'Cancelled; the session is unchanged.' } };
    }
    if (result.status === 'compacted') await this.sessions.append(id, [result.record], 'compaction');
    return result;
  }

  /**
   * The entry point of every compaction (manual, automatic, idle, the API):
   * announces it (a running idle compaction yields), then runs it after any
   * compaction already running on the session, so one session never has two.
   */
  compactWithModel(...args: Parameters<SessionCompactions['runCompaction']>): Promise<CompactResponse> {
    const [id, request] = args;
    this.compactStartEmitter.fire({ sessionId: id, source: request.source });
    const previous = this.compacting.get(id);
    const run = (previous ? previous.then(noop, noop) : Promise.resolve())
      .then(() => this.runCompaction(...args))
      .then(
        (result) => {
          this.finishedEmitter.fire({ sessionId: id, source: request.source, result });
          return result;
        },
        (error: unknown) => {
          this.finishedEmitter.fire({ sessionId: id, source: request.source, error });
          throw error;
        },
      );
    this.compacting.set(id, run);
    const clear = () => {
      if (this.compacting.get(id) === run) this.compacting.delete(id);
    };
    run.then(clear, clear);
    return run;
  }

  /**
   * Compacts with the user's model (an LLM summary) when one is available,
   * else with the server's deterministic tiers; appends the record.
   */
  private async runCompaction(id: string, request: CompactRequest, model: vscode.LanguageModelChat | undefined, token?: vscode.CancellationToken): Promise<CompactResponse> {
    const before = await this.sessions.load(id);
    const current = activeCompaction(before)?.summary;
    const collected = await collectHooks(this.willCompactListeners, {
      sessionId: id,
      source: request.source,
      ...(current ? { currentSummary: current } : {}),
      pinnedMessageIds: [...pinnedIdsAmong(before.records, messagesOf(before))],
    });
    for (const problem of collected.problems) this.output.warn(problem);
    await this.applyHookPins(id, collected.pins);
    const hooks: CompactionHookInput = {
      instructions: collected.instructions,
      attachments: collected.attachments.map((a) => ({ ...a, tokens: this.estimate.countText(a.text) })),
    };
    const result = await llmCompact(
      {
        load: (i) => this.sessions.load(i),
        budget: (l) => this.sessions.budget(l),
        settings: () => this.config.settings,
        output: this.output,
        deterministic: (i, r, t) => this.compact(i, r, t),
        recount: (l, r) => this.recount(l, r),
        append: (i, record) => this.sessions.append(i, [record], 'compaction'),
      },
      id,
      request,
      model,
      token,
      hooks,
    );
    if (result.status === 'compacted') this.didCompactEmitter.fire({ sessionId: id, compactionId: result.record.id, report: result.report, summary: result.record.summary });
    return result;
  }

  /** Pins asked for by before-compaction hooks: appended before the compaction runs, so it keeps them. */
  private async applyHookPins(id: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const log = await this.sessions.load(id);
    const known = new Set(messagesOf(log).map((m) => m.id));
    const already = pinnedIdsAmong(log.records, messagesOf(log));
    const at = new Date().toISOString();
    const records = ids.filter((m) => known.has(m) && !already.has(m)).map((m) => pinRecord(m, true, { id: randomUUID(), at, origin: 'api' }));
    for (const m of ids) if (!known.has(m)) this.output.warn(`before-compaction hook: no message ${m} in session ${id}; not pinned`);
    if (records.length > 0) await this.sessions.append(id, records, 'pin');
  }

  /** Before-compaction hooks of other extensions (see extension/api). */
  addWillCompactListener(listener: WillCompactListener): vscode.Disposable {
    this.willCompactListeners.push(listener);
    return new vscode.Disposable(() => {
      const i = this.willCompactListeners.indexOf(listener);
      if (i >= 0) this.willCompactListeners.splice(i, 1);
    });
  }

  /** Counts a record's new texts with the server's tokenizer; keeps the estimates while it is unavailable. */
  private async recount(log: SessionLog, record: CompactionRecord): Promise<CompactionRecord> {
    const texts: Part[][] = [
      [{ type: 'text', text: record.summary }],
      ...record.attachments.map((a): Part[] => [{ type: 'text', text: a.text }]),
      ...record.replaced.map((r) => r.parts),
    ];
    const { counts, encoding } = await this.sessions.countWith(log.header.model, texts);
    if (encoding === 'estimate') return record;
    let i = 0;
    const summaryTokens = record.summary ? (counts[i] ?? record.summaryTokens) : 0;
    i++;
    const attachments = record.attachments.map((a) => ({ ...a, tokens: counts[i++] ?? a.tokens }));
    const replaced = record.replaced.map((r) => ({ ...r, tokens: counts[i++] ?? r.tokens }));
    const recounted: CompactionRecord = { ...record, summaryTokens, attachments, replaced };
    const after = contextOf({ header: log.header, records: [...log.records, recounted] });
    return { ...recounted, after: { tokens: after.reduce((n, m) => n + m.tokens, 0), messages: after.length } };
  }

  /** Reverts the newest non-reverted compaction; undefined when there is none. */
  async revertLast(id: string): Promise<CompactionRecord | undefined> {
    const log = await this.sessions.load(id);
    const reverted = new Set(log.records.filter((r): r is RevertRecord => r.type === 'revert').map((r) => r.compactionId));
    const last = [...log.records].reverse().find((r): r is CompactionRecord => r.type === 'compaction' && !reverted.has(r.id));
    if (!last) return undefined;
    const record: RevertRecord = { type: 'revert', id: randomUUID(), at: new Date().toISOString(), compactionId: last.id };
    await this.sessions.append(id, [record], 'revert');
    return last;
  }

  dispose(): void {
    this.compactStartEmitter.dispose();
    this.didCompactEmitter.dispose();
    this.finishedEmitter.dispose();
  }
}
