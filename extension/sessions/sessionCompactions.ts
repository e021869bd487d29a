import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { Budget } from '../../src/compaction/budget';
import { FALLBACK_MAX_INPUT_TOKENS } from '../../src/compaction/constants';
import { activeCompaction, contextOf, messagesOf } from '../../src/compaction/context';
import { pinnedIdsAmong, pinRecord } from '../../src/compaction/pins';
import type { CompactParamsInput, CompactResponse } from '../../src/compaction/protocol';
import { markOf } from '../../src/compaction/proposal';
import type { CompactionRecord, CompactionSource, ModelInfo, Part, RevertRecord, SessionLog } from '../../src/compaction/records';
import type { UsageBreakdown } from '../../src/compaction/usage';
import { createEstimateCounter } from '../../src/compaction/tokens/counter';
import type { Configuration } from '../config/configuration';
import type { EngineClient } from '../serverClient/engineClient';
import { collectHooks, type DidCompactEvent, type WillCompactListener } from '../api/compactionHooks';
import { CircuitBreaker } from './autoCompactionDecision';
import { proposeWithModel, type CompactionHookInput } from './llmCompaction';
import { compactPreparedOrNow, Preparations } from './preparation';
import { applyProposal, type ApplyOptions, type Proposal, type ProposeResult } from './proposals';
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
  /** The cached log, if loaded (background preparation never reads from disk). */
  peek(id: string): SessionLog | undefined;
  usage(log: SessionLog): UsageBreakdown;
  /** The chat model the session last talked to (background preparation summarizes with it). */
  chatModelOf(id: string): vscode.LanguageModelChat | undefined;
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
  /** Next compactions prepared in the background near the auto-compact level (preparation.ts). */
  readonly preparations: Preparations;

  constructor(
    private readonly sessions: CompactionSessions,
    private readonly engine: EngineClient,
    private readonly config: Configuration,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.preparations = new Preparations({
      preparePercent: () => this.config.settings.preparePercent,
      facts: (id) => {
        const log = this.sessions.peek(id);
        if (!log) return undefined;
        const usage = this.sessions.usage(log);
        return { log, usedTokens: usage.used, effectiveWindow: usage.effectiveWindow };
      },
      blockedBecause: (id) => {
        if (!this.config.settings.autoCompact.enabled) return 'automatic compaction is off';
        if (this.breaker(id).status().open) return 'automatic compaction is paused';
        if (this.compacting.has(id)) return 'a compaction is running';
        // Without a summary model the compaction is the server's deterministic one: fast, nothing to prepare.
        if (!this.sessions.chatModelOf(id) && !this.config.settings.summaryModel) return 'no summary model in this window';
        return undefined;
      },
      propose: async (id, signal) => {
        const cts = new vscode.CancellationTokenSource();
        const onAbort = () => cts.cancel();
        signal.addEventListener('abort', onAbort);
        try {
          const result = await this.runPropose(id, { source: 'auto' }, this.sessions.chatModelOf(id), cts.token);
          if (result.status === 'proposed') return result.proposal;
          this.output.info(`session ${id}: nothing prepared (${result.report.reason ?? result.status})`);
          return undefined;
        } finally {
          signal.removeEventListener('abort', onAbort);
          cts.dispose();
        }
      },
      log: (message) => this.output.info(message),
      now: () => Date.now(),
    });
  }

  isCompacting(id: string): boolean {
    return this.compacting.has(id);
  }

  /** A compaction is being prepared in the background (idle compaction waits for it: never both). */
  isPreparing(id: string): boolean {
    return this.preparations.isRunning(id);
  }

  /**
   * The session's log changed (SessionService's change event): a preparation
   * that is no longer valid is dropped, one starts at the preparation level.
   */
  sessionChanged(id: string, kind: string): void {
    if (kind === 'deleted') this.preparations.forget(id);
    // Only new messages cross the level (not opening or importing a session): preparing costs a summary request.
    else this.preparations.changed(id, { mayStart: kind === 'message' });
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
    this.preparations.forget(id);
  }

  /**
   * Runs the deterministic tiers in the compaction server and proposes the
   * record when the result is `compacted`. Other outcomes leave the session
   * unchanged and are returned for the caller to show.
   */
  private async proposeDeterministic(id: string, request: CompactRequest, token?: vscode.CancellationToken): Promise<ProposeResult> {
    const log = await this.sessions.load(id);
    const mark = markOf(log);
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
    if (result.status !== 'compacted') return result;
    return { status: 'proposed', proposal: { key: result.record.id, sessionId: id, source: request.source, record: result.record, report: result.report, mark } };
  }

  /**
   * The entry point of every compaction (manual, automatic, idle, the API):
   * announces it (a running idle compaction yields), then runs it after any
   * compaction already running on the session, so one session never has two.
   * Proposes and applies at once; an automatic one first applies a prepared
   * proposal when it is still valid.
   */
  compactWithModel(...args: Parameters<SessionCompactions['runCompaction']>): Promise<CompactResponse> {
    const [id, request] = args;
    return this.queue(id, request.source, () => this.runCompaction(...args), true);
  }

  /**
   * Proposes a compaction without applying it (the preview): queued like a
   * compaction (nothing else compacts the session meanwhile), but the person's
   * decision is awaited outside the queue, so automatic compaction never waits
   * for a person. Nothing is reported: nothing changed yet.
   */
  proposeCompaction(id: string, request: CompactRequest, model: vscode.LanguageModelChat | undefined, token?: vscode.CancellationToken): Promise<ProposeResult> {
    return this.queue(id, request.source, () => this.runPropose(id, request, model, token), false);
  }

  /**
   * Applies a proposal (from the preview, maybe with an edited summary) when
   * the session is still its log plus new messages; otherwise rejects with
   * StaleProposalError ("the session changed; compact again") and writes nothing.
   */
  applyProposal(proposal: Proposal, options: ApplyOptions = {}): Promise<CompactResponse> {
    return this.queue(proposal.sessionId, proposal.source, () => this.runApply(proposal, options), true);
  }

  /** A compaction step: announced, queued on the session; `report` = fire the finished event with its outcome. */
  private queue<T extends CompactResponse | ProposeResult>(id: string, source: CompactionSource, work: () => Promise<T>, report: boolean): Promise<T> {
    this.compactStartEmitter.fire({ sessionId: id, source });
    // Any compaction but the automatic one (which claims it) makes a prepared or preparing one pointless.
    if (source !== 'auto') this.preparations.cancel(id, `a ${source} compaction started`);
    return this.enqueue(id, () =>
      work().then(
        (result) => {
          if (report && result.status !== 'proposed') this.finishedEmitter.fire({ sessionId: id, source, result });
          return result;
        },
        (error: unknown) => {
          if (report) this.finishedEmitter.fire({ sessionId: id, source, error });
          throw error;
        },
      ),
    );
  }

  /** Runs `work` after everything queued on the session (compactions and reverts), so they never interleave. */
  private enqueue<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.compacting.get(id);
    const run = (previous ? previous.then(noop, noop) : Promise.resolve()).then(work);
    this.compacting.set(id, run);
    const clear = () => {
      if (this.compacting.get(id) === run) this.compacting.delete(id);
    };
    run.then(clear, clear);
    return run;
  }

  /** Proposes, then applies at once; an automatic compaction applies a still-valid prepared proposal instead, with no summary request. */
  private async runCompaction(id: string, request: CompactRequest, model: vscode.LanguageModelChat | undefined, token?: vscode.CancellationToken): Promise<CompactResponse> {
    if (request.source === 'auto' && !request.partial) {
      return compactPreparedOrNow(
        this.preparations,
        id,
        async (prepared) => this.runApply(prepared, { prepared: true, maxAfterTokens: this.sessions.budget(await this.sessions.load(id)).autoCompactTokens }),
        () => this.proposeAndApply(id, request, model, token),
        (message) => this.output.info(message),
      );
    }
    return this.proposeAndApply(id, request, model, token);
  }

  private async proposeAndApply(id: string, request: CompactRequest, model: vscode.LanguageModelChat | undefined, token?: vscode.CancellationToken): Promise<CompactResponse> {
    const proposed = await this.runPropose(id, request, model, token);
    if (proposed.status !== 'proposed') return proposed;
    if (token?.isCancellationRequested) {
      const report = proposed.proposal.report;
      return { status: 'aborted', report: { ...report, status: 'aborted', reason: 'Cancelled; the session is unchanged.' } };
    }
    return this.runApply(proposed.proposal, {});
  }

  private async runApply(proposal: Proposal, options: ApplyOptions): Promise<CompactResponse> {
    const result = await applyProposal(
      {
        load: (i) => this.sessions.load(i),
        countSummary: async (log, text) => (await this.sessions.countWith(log.header.model, [[{ type: 'text', text }]])).counts[0] ?? this.estimate.countText(text),
        append: (i, record) => this.sessions.append(i, [record], 'compaction'),
      },
      proposal,
      options,
    );
    this.didCompactEmitter.fire({ sessionId: proposal.sessionId, compactionId: result.record.id, report: result.report, summary: result.record.summary });
    return result;
  }

  /**
   * Compacts with the user's model (an LLM summary) when one is available,
   * else with the server's deterministic tiers; proposes the record.
   */
  private async runPropose(id: string, request: CompactRequest, model: vscode.LanguageModelChat | undefined, token?: vscode.CancellationToken): Promise<ProposeResult> {
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
    return proposeWithModel(
      {
        load: (i) => this.sessions.load(i),
        budget: (l) => this.sessions.budget(l),
        settings: () => this.config.settings,
        output: this.output,
        deterministic: (i, r, t) => this.proposeDeterministic(i, r, t),
        recount: (l, r) => this.recount(l, r),
      },
      id,
      request,
      model,
      token,
      hooks,
    );
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

  /**
   * Reverts the newest non-reverted compaction; undefined when there is none.
   * Queued with the session's compactions: a revert asked for while one runs
   * waits for it and then reverts the newest (so a compaction finishing later
   * can never append on top of a revert and undo it).
   */
  revertLast(id: string): Promise<CompactionRecord | undefined> {
    return this.enqueue(id, () => this.revertNewest(id));
  }

  private async revertNewest(id: string): Promise<CompactionRecord | undefined> {
    const log = await this.sessions.load(id);
    const reverted = new Set(log.records.filter((r): r is RevertRecord => r.type === 'revert').map((r) => r.compactionId));
    const last = [...log.records].reverse().find((r): r is CompactionRecord => r.type === 'compaction' && !reverted.has(r.id));
    if (!last) return undefined;
    const record: RevertRecord = { type: 'revert', id: randomUUID(), at: new Date().toISOString(), compactionId: last.id };
    await this.sessions.append(id, [record], 'revert');
    return last;
  }

  dispose(): void {
    this.preparations.dispose();
    this.compactStartEmitter.dispose();
    this.didCompactEmitter.dispose();
    this.finishedEmitter.dispose();
  }
}
