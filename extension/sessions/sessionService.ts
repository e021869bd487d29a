import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { budgetFor, type Budget } from '../../src/compaction/budget';
import { contextOf, messagesOf } from '../../src/compaction/context';
import { pinRecord } from '../../src/compaction/pins';
import { FALLBACK_MAX_INPUT_TOKENS } from '../../src/compaction/constants';
import type { MessageRecord, ModelInfo, Part, PinRecord, ProviderUsage, RewindRecord, Role, SessionLog } from '../../src/compaction/records';
import { sessionTotals } from '../../src/compaction/report';
import { createEstimateCounter } from '../../src/compaction/tokens/counter';
import type { ContextMessage, CompactionTotals } from '../../src/compaction/types';
import type { UsageBreakdown } from '../../src/compaction/usage';
import { createTimeSlicer } from '../../src/compaction/timeSlicer';
import { UsageTracker } from '../../src/compaction/usageTracker';
import type { Configuration } from '../config/configuration';
import type { EngineClient } from '../serverClient/engineClient';
import { SessionCompactions } from './sessionCompactions';
import { SessionStore, type AppendableRecord } from './sessionStore';
import { errorMessage } from '../../src/compaction/errors';

export interface NewMessage {
  role: Role;
  parts: Part[];
  turn: number;
  usage?: ProviderUsage;
}

export interface SessionChange {
  sessionId: string;
  kind: 'message' | 'compaction' | 'revert' | 'created' | 'renamed' | 'deleted' | 'opened' | 'pin';
}

/**
 * The extension host's view of sessions: keeps the open logs in memory (read
 * once from the store, then kept in step with every append), counts new
 * messages through the compaction server (or a labelled estimate while it is
 * down), and computes usage from stored counts (never re-tokenizing); its
 * `compactions` run and revert compactions (sessionCompactions.ts). Fires
 * `onDidChange` after every change is on disk.
 */
export class SessionService implements vscode.Disposable {
  private readonly logs = new Map<string, SessionLog>();
  /** One usage tracker per cached log; it follows the log's appends itself. */
  private readonly trackers = new WeakMap<SessionLog, UsageTracker>();
  private activeId: string | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<SessionChange>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly activeEmitter = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeActive = this.activeEmitter.event;
  private readonly estimate = createEstimateCounter();
  /** Compacting and reverting, one session's compactions at a time (sessionCompactions.ts). */
  readonly compactions: SessionCompactions;

  constructor(
    readonly store: SessionStore,
    private readonly engine: EngineClient,
    private readonly config: Configuration,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.compactions = new SessionCompactions(
      {
        load: (id) => this.load(id),
        budget: (log) => this.budget(log),
        countWith: (model, messages) => this.countWith(model, messages),
        append: async (id, records, kind) => {
          await this.appendRecords(id, records);
          this.changeEmitter.fire({ sessionId: id, kind });
        },
        peek: (id) => this.peek(id),
        usage: (log) => this.usage(log),
        chatModelOf: (id) => this.chatModelOf(id),
      },
      engine,
      config,
      output,
    );
    // Background preparation follows every change of a log (new messages, compactions, reverts, rewinds, deletion).
    this.changeEmitter.event((e) => this.compactions.sessionChanged(e.sessionId, e.kind));
  }

  private readonly busy = new Set<string>();

  private readonly busyEmitter = new vscode.EventEmitter<{ sessionId: string; busy: boolean }>();
  /** A request started or ended (idle compaction yields to a request). */
  readonly onDidChangeBusy = this.busyEmitter.event;

  /** A request is in flight for the session (idle compaction leaves it alone). */
  markBusy(id: string, busy: boolean): void {
    if (busy === this.busy.has(id)) return;
    if (busy) this.busy.add(id);
    else this.busy.delete(id);
    this.busyEmitter.fire({ sessionId: id, busy });
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

  /**
   * The cached log of a session, reading it from disk the first time and,
   * after that, adding what another window appended (one stat when nothing
   * did), so two windows on one workspace send the same context.
   */
  async load(id: string): Promise<SessionLog> {
    const cached = this.logs.get(id);
    if (cached) {
      try {
        const { warnings } = await this.store.refresh(cached);
        for (const w of warnings) this.output.warn(`session ${id}: ${w}`);
      } catch (err) {
        // Deleted by another window, or unreadable right now: keep what we have; an append will say why.
        this.output.warn(`session ${id}: could not check for other windows' changes (${errorMessage(err)})`);
      }
      return cached;
    }
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
    if (source.records.length) await this.store.append(log.header.id, source.records, { follow: log });
    const { log: full, tracker } = await UsageTracker.build(log.header, log.records, createTimeSlicer());
    this.store.adopt(log, full);
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
    this.compactions.forget(id);
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
    const log = await this.load(id);
    // Pushes what other windows appended meanwhile, then these, in file order.
    await this.store.append(id, records, { follow: log });
  }

  /**
   * Pins (or unpins) a message: compaction keeps a pinned message verbatim
   * (src/compaction/pins.ts). Appends a `pin` record; nothing else changes.
   * Throws with a clear message when the message is not in the session.
   */
  async setPin(id: string, messageId: string, pinned: boolean, fields: { quote?: string; origin?: string } = {}): Promise<PinRecord> {
    const log = await this.load(id);
    if (!messagesOf(log).some((m) => m.id === messageId)) throw new Error(`message ${messageId} is not in session ${id}`);
    const record = pinRecord(messageId, pinned, { id: randomUUID(), at: new Date().toISOString(), ...fields });
    await this.appendRecords(id, [record]);
    this.changeEmitter.fire({ sessionId: id, kind: 'pin' });
    return record;
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
      this.output.warn(`token counting fell back to an estimate: ${errorMessage(err)}`);
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

  dispose(): void {
    this.busyEmitter.dispose();
    this.compactions.dispose();
    this.changeEmitter.dispose();
    this.activeEmitter.dispose();
  }
}
