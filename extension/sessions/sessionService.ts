import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { budgetFor, type Budget } from '../../src/compaction/budget';
import { contextOf } from '../../src/compaction/context';
import type { CompactParamsInput, CompactResponse } from '../../src/compaction/protocol';
import type { CompactionRecord, CompactionSource, MessageRecord, ModelInfo, Part, ProviderUsage, RevertRecord, RewindRecord, Role, SessionLog } from '../../src/compaction/records';
import { sessionTotals } from '../../src/compaction/report';
import { createEstimateCounter } from '../../src/compaction/tokens/counter';
import type { ContextMessage, CompactionTotals } from '../../src/compaction/types';
import type { UsageBreakdown } from '../../src/compaction/usage';
import { createTimeSlicer } from '../../src/compaction/timeSlicer';
import { UsageTracker } from '../../src/compaction/usageTracker';
import type { Configuration } from '../config/configuration';
import type { EngineClient } from '../engine/engineClient';
import { CircuitBreaker } from './autoCompaction';
import { collectHooks, type DidCompactEvent, type WillCompactListener } from '../api/compactionHooks';
import { compactWithModel as llmCompact, type CompactionHookInput } from './llmCompaction';
import { SessionStore, type AppendableRecord } from './sessionStore';

const noop = (): void => undefined;

/** Used when a model does not say how large its window is. */
const FALLBACK_MAX_INPUT_TOKENS = 128_000;

export interface NewMessage {
  role: Role;
  parts: Part[];
  turn: number;
  usage?: ProviderUsage;
}

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

export interface SessionChange {
  sessionId: string;
  kind: 'message' | 'compaction' | 'revert' | 'created' | 'renamed' | 'deleted' | 'opened';
}

/**
 * The extension host's view of sessions: keeps the open logs in memory (read
 * once from the store, then kept in step with every append), counts new
 * messages through the compaction server (or a labelled estimate while it is
 * down), computes usage from stored counts (never re-tokenizing), and runs
 * compactions. Fires `onDidChange` after every change is on disk.
 */
export class SessionService implements vscode.Disposable {
  private readonly logs = new Map<string, SessionLog>();
  /** One usage tracker per cached log; it follows the log's appends itself. */
  private readonly trackers = new WeakMap<SessionLog, UsageTracker>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private activeId: string | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<SessionChange>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly activeEmitter = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeActive = this.activeEmitter.event;
  private readonly estimate = createEstimateCounter();

  constructor(
    readonly store: SessionStore,
    private readonly engine: EngineClient,
    private readonly config: Configuration,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  private readonly busy = new Set<string>();

  private readonly busyEmitter = new vscode.EventEmitter<{ sessionId: string; busy: boolean }>();
  /** A request started or ended (idle compaction yields to a request). */
  readonly onDidChangeBusy = this.busyEmitter.event;
  private readonly compactStartEmitter = new vscode.EventEmitter<{ sessionId: string; source: CompactionSource }>();
  /** A compaction is about to start (before it waits for one already running on the session). */
  readonly onWillCompact = this.compactStartEmitter.event;
  /** The compaction running (or queued last) per session: compactions of one session run one after another. */
  private readonly compacting = new Map<string, Promise<unknown>>();

  /** A request is in flight for the session (idle compaction leaves it alone). */
  markBusy(id: string, busy: boolean): void {
    if (busy === this.busy.has(id)) return;
    if (busy) this.busy.add(id);
    else this.busy.delete(id);
    this.busyEmitter.fire({ sessionId: id, busy });
  }

  isCompacting(id: string): boolean {
    return this.compacting.has(id);
  }

  isBusy(id: string): boolean {
    return this.busy.has(id);
  }

  get activeSessionId(): string | undefined {
    return this.activeId;
  }

  setActive(id: string | undefined): void {
    if (this.activeId === id) return;
    this.activeId = id;
    this.persistActive?.(id);
    this.activeEmitter.fire(id);
  }

  /**
   * Makes the session the user worked in last active again after a reload
   * (or, when that one is gone, the most recently updated one).
   */
  async restoreActive(remembered: string | undefined, persist: (id: string | undefined) => void): Promise<void> {
    this.persistActive = persist;
    const { sessions } = await this.store.list();
    const pick = sessions.find((s) => s.id === remembered) ?? [...sessions].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
    if (!pick || this.activeId) return;
    await this.load(pick.id);
    this.setActive(pick.id);
  }

  private persistActive: ((id: string | undefined) => void) | undefined;

  /** The cached log of a session, reading it from disk the first time. */
  async load(id: string): Promise<SessionLog> {
    const cached = this.logs.get(id);
    if (cached) return cached;
    const { log, warnings } = await this.store.open(id);
    for (const w of warnings) this.output.warn(`session ${id}: ${typeof w === 'string' ? w : JSON.stringify(w)}`);
    this.logs.set(id, log);
    return log;
  }

  peek(id: string): SessionLog | undefined {
    return this.logs.get(id);
  }

  async create(model: ModelInfo | undefined, title?: string, systemPrompt?: string): Promise<SessionLog> {
    let systemTokens: number | undefined;
    if (systemPrompt) {
      const { counts } = await this.countWith(model, [[{ type: 'text', text: systemPrompt }]]);
      systemTokens = counts[0];
    }
    const log = await this.store.create({
      ...(model ? { model } : {}),
      ...(title ? { title } : {}),
      ...(systemPrompt ? { systemPrompt, systemTokens } : {}),
    });
    this.logs.set(log.header.id, log);
    this.changeEmitter.fire({ sessionId: log.header.id, kind: 'created' });
    return log;
  }

  /**
   * Stores a whole log (an imported transcript) as a new session with a fresh
   * id. Its records are validated and written, and its usage folded, in time
   * slices (a 500K-token transcript would otherwise stall the extension host).
   */
  async createFrom(source: SessionLog): Promise<SessionLog> {
    const { type: _type, v: _v, id: _id, createdAt: _createdAt, ...fields } = source.header;
    const log = await this.store.create(fields);
    if (source.records.length) await this.store.append(log.header.id, source.records);
    const { log: full, tracker } = await UsageTracker.build(log.header, source.records, createTimeSlicer());
    this.trackers.set(full, tracker);
    this.logs.set(full.header.id, full);
    this.changeEmitter.fire({ sessionId: full.header.id, kind: 'created' });
    return full;
  }

  /** Keeps the session's model up to date in memory (the Chat view lets the user switch models). */
  useModel(id: string, model: ModelInfo): void {
    const log = this.logs.get(id);
    if (log) log.header = { ...log.header, model };
  }

  private readonly chatModels = new Map<string, vscode.LanguageModelChat>();

  /** The chat model the session last talked to, so compacting from the palette summarizes with it. */
  rememberChatModel(id: string, model: vscode.LanguageModelChat): void {
    this.chatModels.set(id, model);
  }

  chatModelOf(id: string): vscode.LanguageModelChat | undefined {
    return this.chatModels.get(id);
  }

  async rename(id: string, title: string): Promise<void> {
    await this.store.rename(id, title);
    const log = this.logs.get(id);
    if (log) log.header = { ...log.header, title };
    this.changeEmitter.fire({ sessionId: id, kind: 'renamed' });
  }

  async delete(id: string): Promise<void> {
    await this.store.delete(id);
    this.logs.delete(id);
    this.breakers.delete(id);
    if (this.activeId === id) this.setActive(undefined);
    this.changeEmitter.fire({ sessionId: id, kind: 'deleted' });
  }

  /** Counts the messages (once, now) and appends them. */
  async appendMessages(id: string, messages: NewMessage[]): Promise<MessageRecord[]> {
    const log = await this.load(id);
    const { counts, encoding } = await this.count(log, messages.map((m) => m.parts));
    const at = new Date().toISOString();
    const records: MessageRecord[] = messages.map((m, i) => ({
      type: 'message',
      id: randomUUID(),
      at,
      role: m.role,
      parts: m.parts,
      tokens: counts[i] ?? 0,
      encoding,
      turn: m.turn,
      ...(m.usage ? { usage: m.usage } : {}),
    }));
    await this.appendRecords(id, records);
    this.changeEmitter.fire({ sessionId: id, kind: 'message' });
    return records;
  }

  private async appendRecords(id: string, records: AppendableRecord[]): Promise<void> {
    await this.store.append(id, records);
    const log = await this.load(id);
    log.records.push(...(records as SessionLog['records']));
  }

  /** Marks the turns from `fromTurn` on as superseded (edited or retried in the Chat view). */
  async rewind(id: string, fromTurn: number, reason?: string): Promise<void> {
    const record: RewindRecord = { type: 'rewind', id: randomUUID(), at: new Date().toISOString(), fromTurn, ...(reason ? { reason } : {}) };
    await this.appendRecords(id, [record]);
    this.changeEmitter.fire({ sessionId: id, kind: 'message' });
  }

  private count(log: SessionLog, messages: Part[][]): Promise<{ counts: number[]; encoding: string }> {
    return this.countWith(log.header.model, messages);
  }

  /** Token counts from the server's tokenizer, or a labelled estimate while it is unavailable. */
  async countWith(model: ModelInfo | undefined, messages: Part[][]): Promise<{ counts: number[]; encoding: string }> {
    try {
      const result = await this.engine.count({ model: model?.id ?? 'gpt-4o', ...(model?.family ? { family: model.family } : {}), messages });
      return { counts: result.messages, encoding: result.encoding };
    } catch (err) {
      this.output.warn(`token counting fell back to an estimate: ${err instanceof Error ? err.message : String(err)}`);
      return { counts: messages.map((parts) => this.estimate.countParts(parts)), encoding: this.estimate.encoding };
    }
  }

  budget(log: SessionLog): Budget {
    const model = log.header.model;
    return budgetFor(
      { maxInputTokens: model?.maxInputTokens ?? FALLBACK_MAX_INPUT_TOKENS, ...(model?.maxOutputTokens ? { maxOutputTokens: model.maxOutputTokens } : {}) },
      this.config.settings.levels,
    );
  }

  context(log: SessionLog): ContextMessage[] {
    return contextOf(log);
  }

  /**
   * Usage from the log's tracker: O(new messages) after an append, one re-fold
   * after a compaction, revert, rewind or model change (UsageTracker). The
   * budget (model window, levels) is applied on every call.
   */
  usage(log: SessionLog): UsageBreakdown {
    let tracker = this.trackers.get(log);
    if (!tracker) {
      tracker = new UsageTracker(log);
      this.trackers.set(log, tracker);
    }
    return tracker.usage(this.budget(log));
  }

  totals(log: SessionLog): CompactionTotals {
    return sessionTotals(log);
  }

  breaker(id: string): CircuitBreaker {
    let breaker = this.breakers.get(id);
    if (!breaker) {
      breaker = new CircuitBreaker({ maxConsecutiveFailures: this.config.settings.circuitBreakerFailures });
      this.breakers.set(id, breaker);
    }
    return breaker;
  }

  /**
   * Runs the deterministic tiers in the compaction server and appends the
   * record when the result is `compacted`. Other outcomes leave the session
   * unchanged and are returned for the caller to show.
   */
  async compact(id: string, request: CompactRequest, token?: vscode.CancellationToken): Promise<CompactResponse> {
    const log = await this.load(id);
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
    if (result.status === 'compacted') {
      await this.appendRecords(id, [result.record]);
      this.changeEmitter.fire({ sessionId: id, kind: 'compaction' });
    }
    return result;
  }

  /**
   * The entry point of every compaction (manual, automatic, idle, the API):
   * announces it (a running idle compaction yields), then runs it after any
   * compaction already running on the session, so one session never has two.
   */
  compactWithModel(...args: Parameters<SessionService['runCompaction']>): Promise<CompactResponse> {
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
    const collected = await collectHooks(this.willCompactListeners, { sessionId: id, source: request.source });
    for (const problem of collected.problems) this.output.warn(problem);
    const hooks: CompactionHookInput = {
      instructions: collected.instructions,
      attachments: collected.attachments.map((a) => ({ ...a, tokens: this.estimate.countText(a.text) })),
    };
    const result = await llmCompact(
      {
        load: (i) => this.load(i),
        budget: (l) => this.budget(l),
        settings: () => this.config.settings,
        output: this.output,
        deterministic: (i, r, t) => this.compact(i, r, t),
        recount: (l, r) => this.recount(l, r),
        append: async (i, record) => {
          await this.appendRecords(i, [record]);
          this.changeEmitter.fire({ sessionId: i, kind: 'compaction' });
        },
      },
      id,
      request,
      model,
      token,
      hooks,
    );
    if (result.status === 'compacted') this.didCompactEmitter.fire({ sessionId: id, compactionId: result.record.id, report: result.report });
    return result;
  }

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
    const { counts, encoding } = await this.countWith(log.header.model, texts);
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
    const log = await this.load(id);
    const reverted = new Set(log.records.filter((r): r is RevertRecord => r.type === 'revert').map((r) => r.compactionId));
    const last = [...log.records].reverse().find((r): r is CompactionRecord => r.type === 'compaction' && !reverted.has(r.id));
    if (!last) return undefined;
    const record: RevertRecord = { type: 'revert', id: randomUUID(), at: new Date().toISOString(), compactionId: last.id };
    await this.appendRecords(id, [record]);
    this.changeEmitter.fire({ sessionId: id, kind: 'revert' });
    return last;
  }

  dispose(): void {
    this.busyEmitter.dispose();
    this.compactStartEmitter.dispose();
    this.didCompactEmitter.dispose();
    this.changeEmitter.dispose();
    this.activeEmitter.dispose();
  }
}
