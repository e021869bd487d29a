/**
 * What the extension host reports about compactions, and when. No vscode
 * import: the logger is VS Code's TelemetryLogger in the extension and a
 * stand-in with the same gating in tests.
 *
 * Invariants:
 * - Each compaction is reported at most once: a completed one by its record
 *   id, a failed one by its report (or error) object or an explicit key.
 * - Properties are built from counts, enums and the model id only, then
 *   validated; an invalid event is dropped and logged, never thrown.
 * - Nothing here awaits the network or throws into the caller.
 */
import type { CompactionRecord, CompactionSource } from '../../src/compaction/records';
import type { CompactionReport, CompactResult } from '../../src/compaction/types';
import { EngineRequestError, EngineUnavailableError } from '../serverClient/engineErrors';
import type { BreakerStatus } from '../sessions/autoCompactionDecision';
import {
  FAILURE_REASONS,
  roundPow2,
  telemetryModel,
  telemetryStrategy,
  telemetryTiers,
  TELEMETRY_EVENTS,
  validateEvent,
  type FailureReason,
  type TelemetryEventName,
  type TelemetryEventProperties,
} from './events';
import type { TelemetryGate } from './telemetryGate';

/** The part of `vscode.TelemetryLogger` used here (it gates by level itself, too). */
export interface EventLogger {
  logUsage(eventName: string, data?: Record<string, unknown>): void;
  logError(eventName: string, data?: Record<string, unknown>): void;
}

export interface TelemetryLog {
  warn(message: string): void;
  debug(message: string): void;
}

/** Ids remembered against double emission; the oldest are forgotten past this. */
const REMEMBERED_IDS = 1_000;

/** `retries` is capped here (the schema's maximum): more says nothing new. */
const MAX_RETRIES_SENT = 10;

export interface CompletedDetails {
  /** Summary requests retried (prompt too long, transient errors); read from the report when it says. */
  retries?: number;
  /** The model summary failed and the deterministic summary was used instead. */
  fallbackUsed?: boolean;
}

export interface FailedCompaction {
  source: CompactionSource;
  /** The engine's status for a result, or what was thrown. */
  status?: string;
  error?: unknown;
  model?: string;
  /** Guards double emission: the report or error object, or an id. Defaults to the report/error. */
  key?: object | string;
  report?: CompactionReport;
}

export class CompactionTelemetry {
  private readonly sentIds = new Set<string>();
  private readonly sentObjects = new WeakSet<object>();

  constructor(
    private readonly logger: EventLogger,
    private readonly gate: TelemetryGate,
    private readonly log: TelemetryLog,
  ) {}

  /** A compaction whose record is in the session log. */
  compactionCompleted(record: CompactionRecord, report: CompactionReport, details: CompletedDetails = {}): void {
    this.guarded(() => {
      if (!this.firstTime(`compaction:${record.id}`)) return;
      const retries = Math.min(MAX_RETRIES_SENT, details.retries ?? summaryRetries(report));
      const fallbackUsed = details.fallbackUsed ?? (report as { fallback?: unknown }).fallback === true;
      this.emit('compaction_completed', {
        model: telemetryModel(record.model ?? report.model),
        source: record.source,
        strategy: telemetryStrategy(record.strategy),
        tiers: telemetryTiers(record.tiers),
        duration_b2: roundPow2(record.durationMs),
        input_tokens_b2: roundPow2(record.before.tokens),
        output_tokens_b2: roundPow2(record.after.tokens),
        messages_before_b2: roundPow2(record.before.messages),
        messages_after_b2: roundPow2(record.after.messages),
        retries,
        fallback_used: fallbackUsed,
        within_target: report.withinTarget ?? true,
        fidelity: record.fidelity !== undefined ? Math.round(record.fidelity * 10) / 10 : -1,
        summary_edited: record.edited === true,
        prepared: record.prepared === true,
      });
    });
  }

  /** A compaction that left the session unchanged (a non-`compacted` result or a thrown error). */
  compactionFailed(failure: FailedCompaction): void {
    this.guarded(() => {
      const key = failure.key ?? failure.report ?? (typeof failure.error === 'object' && failure.error !== null ? failure.error : undefined);
      if (key !== undefined && !this.firstTime(key)) return;
      this.emit('compaction_failed', {
        source: failure.source,
        reason: failure.error !== undefined ? reasonOfError(failure.error) : reasonOfStatus(failure.status),
        model: telemetryModel(failure.model ?? failure.report?.model),
      });
    });
  }

  /** Either of the above for what `SessionCompactions.compact` returned. */
  compactionResult(result: CompactResult, source: CompactionSource = result.report.source): void {
    if (result.status === 'compacted') this.compactionCompleted(result.record, result.report);
    else this.compactionFailed({ source, status: result.status, report: result.report });
  }

  /** `SessionCompactions.compact` threw (engine unavailable, engine error, cancelled). */
  compactionError(source: CompactionSource, error: unknown, model?: string): void {
    this.compactionFailed({ source, error, ...(model ? { model } : {}) });
  }

  /**
   * Called after each failed automatic compaction has been recorded on the
   * session's circuit breaker: reports `circuit_breaker_opened` once per
   * opening (the session id only keys the guard; it is not sent).
   */
  breakerAfterFailure(sessionId: string, breaker: BreakerStatus, failure: unknown, model?: string): void {
    this.guarded(() => {
      if (!breaker.open) return;
      if (!this.firstTime(`breaker:${sessionId}:${breaker.lastFailure?.at ?? breaker.consecutiveFailures}`)) return;
      this.emit('circuit_breaker_opened', {
        consecutive_failures: breaker.consecutiveFailures,
        last_reason: typeof failure === 'string' ? reasonOfStatus(failure) : reasonOfError(failure),
        model: telemetryModel(model),
      });
    });
  }

  /** The user reverted a compaction; `revertId` is the revert record's id. */
  compactionReverted(revertId: string, compaction: CompactionRecord, revertedAtMs: number): void {
    this.guarded(() => {
      if (!this.firstTime(`revert:${revertId}`)) return;
      const ageSeconds = Math.max(0, (revertedAtMs - Date.parse(compaction.at)) / 1000);
      this.emit('compaction_reverted', {
        source: compaction.source,
        strategy: telemetryStrategy(compaction.strategy),
        age_seconds_b2: roundPow2(ageSeconds),
      });
    });
  }

  private emit<N extends TelemetryEventName>(name: N, properties: TelemetryEventProperties<N>): void {
    const event = validateEvent(name, properties);
    if (!event.ok) {
      this.log.warn(`telemetry: dropped an event: ${event.problem}`);
      return;
    }
    const level = TELEMETRY_EVENTS[name].level;
    if (!this.gate.allows(level)) return;
    if (level === 'usage') this.logger.logUsage(name, event.properties);
    else this.logger.logError(name, event.properties);
  }

  private firstTime(key: object | string): boolean {
    if (typeof key === 'string') {
      if (this.sentIds.has(key)) return false;
      this.sentIds.add(key);
      if (this.sentIds.size > REMEMBERED_IDS) this.sentIds.delete(this.sentIds.values().next().value as string);
      return true;
    }
    if (this.sentObjects.has(key)) return false;
    this.sentObjects.add(key);
    return true;
  }

  /** Telemetry never reaches the compaction: whatever goes wrong is logged here. */
  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn(`telemetry: ${err instanceof Error ? err.name : 'error'} while reporting a compaction (ignored)`);
    }
  }
}

/** Retries of the model summary, as the LLM pipeline reports them (`report.summarizer`); 0 without one. */
function summaryRetries(report: CompactionReport): number {
  const summarizer = (report as { summarizer?: { promptTooLongRetries?: unknown; transientRetries?: unknown } }).summarizer;
  const count = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 0);
  return count(summarizer?.promptTooLongRetries) + count(summarizer?.transientRetries);
}

/** An engine status (or breaker reason) as a reason enum; free text becomes `unknown`. */
export function reasonOfStatus(status: string | undefined): FailureReason {
  return (FAILURE_REASONS as readonly string[]).includes(status ?? '') ? (status as FailureReason) : 'unknown';
}

/** What was thrown, as a reason enum. Never the message: it may quote paths or text. */
export function reasonOfError(error: unknown): FailureReason {
  if (error instanceof EngineUnavailableError) return 'engine_unavailable';
  if (error instanceof EngineRequestError) {
    if (error.cancelled) return 'aborted';
    if (error.data?.kind === 'InvalidParams') return 'invalid_request';
    return 'engine_error';
  }
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError' || name === 'Canceled' || name === 'CancellationError') return 'aborted';
  if (name === 'LanguageModelError' || /^LanguageModelError/.test(name)) return 'model_error';
  return 'unknown';
}
