/**
 * Incremental usage of one session: what `usageOfLog(log, budget)` (usage.ts)
 * gives, kept up to date as records are appended, so the extension host does
 * O(size of the new message) work per message instead of re-folding the log.
 *
 * - A message appended to the log always lands at the end of the context
 *   verbatim (a compaction only covers messages before it; a rewind only
 *   supersedes messages before it), so its categories, its tokens and, for an
 *   assistant message with reported input tokens, the calibration (what we
 *   counted for everything before it against what was reported) are added
 *   without looking at the rest of the log.
 * - A compaction, revert or rewind record changes which messages are in the
 *   context: the tracker re-folds the whole log once (contextOf).
 * - The budget is applied when the breakdown is read, so a change of model or
 *   levels needs no recompute; a new system prompt re-folds once.
 *
 * Invariant (tested on random sequences): `usage(budget)` deep-equals
 * `usageOfLog(log, budget)` after every append.
 */
import type { Budget } from './budget';
import { contextOf, contextTokens, messagesOf } from './context';
import type { BodyRecord, MessageRecord, SessionHeader, SessionLog } from './records';
import type { TimeSlicer } from './timeSlicer';
import { calibrate, type Calibration } from './tokens/calibration';
import { breakdownOf, calibrationFromLog, categoriesOf, type UsageBreakdown, type UsedCategory } from './usage';

export class UsageTracker {
  private cats!: Record<UsedCategory, number>;
  private total = 0;
  private estimated = false;
  private calibration: Calibration | undefined;
  /** What the tracked state reflects: this system prompt, these records up to `seen`. */
  private system!: Pick<SessionHeader, 'systemPrompt' | 'systemTokens'>;
  private records!: BodyRecord[];
  private seen = 0;
  /** Full re-folds so far (1 at creation); for tests and the bench. */
  recomputes = 0;

  constructor(private readonly log: SessionLog) {
    this.recompute();
  }

  /**
   * A new log of `header` and `records` with its tracker, built record by
   * record in time slices: the state `new UsageTracker(log)` would fold in one
   * go (a re-fold only at each non-message record). For a large log (an
   * imported transcript) in the extension host.
   */
  static async build(header: SessionHeader, records: readonly BodyRecord[], slicer: TimeSlicer): Promise<{ log: SessionLog; tracker: UsageTracker }> {
    const log: SessionLog = { header, records: [] };
    const tracker = new UsageTracker(log);
    for (let i = 0; i < records.length; i++) {
      if (i > 0 && slicer.due()) await slicer.yield();
      tracker.append(records[i] as BodyRecord);
    }
    return { log, tracker };
  }

  /** Appends a record to the tracked log and brings usage up to date. */
  append(record: BodyRecord): void {
    this.log.records.push(record);
    this.sync();
  }

  /**
   * Catches up with records pushed onto the log by someone else (the session
   * service appends to its cached log directly). Re-folds when the log was
   * changed in any other way than by appending.
   */
  sync(): void {
    const { log } = this;
    const { systemPrompt, systemTokens } = log.header;
    const systemChanged = systemPrompt !== this.system.systemPrompt || systemTokens !== this.system.systemTokens;
    if (systemChanged || log.records !== this.records || log.records.length < this.seen) {
      this.recompute();
      return;
    }
    while (this.seen < log.records.length) {
      const r = log.records[this.seen]!;
      if (r.type !== 'message') {
        this.recompute();
        return;
      }
      this.addMessage(r);
      this.seen++;
    }
  }

  /** The breakdown against a budget (cheap: the categories are kept up to date). */
  usage(budget: Budget): UsageBreakdown {
    this.sync();
    return breakdownOf(this.cats, this.total, budget, {
      estimated: this.estimated,
      ...(this.calibration ? { calibration: this.calibration } : {}),
    });
  }

  /** Tokens of the context (stored counts, uncalibrated). */
  get contextTokens(): number {
    this.sync();
    return this.total;
  }

  private addMessage(m: MessageRecord): void {
    const reported = m.role === 'assistant' ? m.usage?.inputTokens : undefined;
    // The request that produced this message saw the context before it.
    if (reported !== undefined) this.calibration = calibrate(this.total, reported);
    const c = categoriesOf([{ kind: 'message', role: m.role, parts: m.parts, tokens: m.tokens, messageId: m.id }]);
    for (const k of Object.keys(c) as UsedCategory[]) this.cats[k] += c[k];
    this.total += m.tokens;
    if (m.encoding === 'estimate') this.estimated = true;
  }

  private recompute(): void {
    const { log } = this;
    const context = contextOf(log);
    this.cats = categoriesOf(context);
    this.total = contextTokens(context);
    this.estimated = messagesOf(log).some((m) => m.encoding === 'estimate');
    this.calibration = calibrationFromLog(log, context);
    this.system = { systemPrompt: log.header.systemPrompt, systemTokens: log.header.systemTokens };
    this.records = log.records;
    this.seen = log.records.length;
    this.recomputes++;
  }
}
