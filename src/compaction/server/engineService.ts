/**
 * The engine behind the requests, for params already validated against
 * their schemas (protocol.ts). No RPC library here: `handlers.ts` turns the
 * values and the failures below into JSON-RPC responses, so this adapter reads
 * like the engine it wraps and is testable without a connection.
 *
 * Stateless across requests apart from the counter pool: each request carries
 * its session log, nothing of it is kept.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Budget, budgetFor, DEFAULT_LEVELS } from '../budget';
import { contextOf, contextTokens } from '../context';
import { ImportError } from '../importers';
import { importSession } from '../importers/session';
import type {
  CompactParams,
  CountParams,
  CountResult,
  EngineErrorStatus,
  ImportParams,
  ImportResult,
  PlanParams,
  PlanResult,
  UsageParams,
  UsageResult,
} from '../protocol';
import type { ModelInfo, Part, SessionLog } from '../records';
import { createTimeSlicer, pause, type TimeSlicer } from '../timeSlicer';
import { argsText, type CachingTokenCounter } from '../tokens/counter';
import { CHUNK_MAX_CHARS } from '../tokens/encoderChunks';
import type { Clock, CompactOptions, CompactResult, CompactionReport } from '../types';
import { calibrationFromLog, usageOf } from '../usage';
import type { CounterPool } from './counters';
import { errorMessage } from '../errors';

/** The engine could not produce a result; `status` names why (EngineError). */
export class EngineFailure extends Error {
  constructor(
    readonly status: EngineErrorStatus,
    message: string,
    /** The problem in words for the user, sent as `data.reason` (protocol.ts). */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'EngineFailure';
  }
}

/** Params that passed the schema but do not fit the log (InvalidParams, naming the field). */
export class ParamsFailure extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParamsFailure';
  }
}

export type CompactFn = (log: SessionLog, options: CompactOptions) => CompactResult;

export interface EngineServiceDeps {
  counters: CounterPool;
  clock: Clock;
  /** The planner (`planner.ts` `compact`), injected so this file compiles and tests without it. */
  compact: CompactFn;
}

type BudgetInput = Pick<UsageParams, 'log' | 'model' | 'levels'>;

/** The session header's model, overridden field by field by the request's. */
function modelOf(p: BudgetInput): Partial<ModelInfo> {
  return { ...p.log.header.model, ...p.model };
}

/** Refuses a log that contradicts itself before a record is computed from it (EngineError `invalid_log`). */
export function checkLog(log: SessionLog): void {
  const messages = new Set<string>();
  const compactions = new Set<string>();
  for (const [i, r] of log.records.entries()) {
    if (r.type === 'message') {
      if (messages.has(r.id)) throw new EngineFailure('invalid_log', `record ${i}: message id "${r.id}" appears twice`);
      messages.add(r.id);
    } else if (r.type === 'compaction') {
      const unknown = r.covered.find((id) => !messages.has(id));
      if (unknown !== undefined) throw new EngineFailure('invalid_log', `record ${i}: compaction "${r.id}" covers "${unknown}", which is not an earlier message`);
      compactions.add(r.id);
    } else if (r.type === 'revert' && !compactions.has(r.compactionId)) {
      throw new EngineFailure('invalid_log', `record ${i}: revert names compaction "${r.compactionId}", which is not an earlier compaction`);
    }
  }
}

/** The texts partCost (tokens/counter.ts) counts in a part. */
function partTexts(part: Part): string[] {
  switch (part.type) {
    case 'text':
    case 'thinking':
    case 'tool_result':
      return [part.text];
    case 'tool_call':
      return [argsText(part.args)];
    default:
      return [];
  }
}

export class EngineService {
  constructor(private readonly deps: EngineServiceDeps) {}

  /**
   * Counts in time slices (8 ms, then a turn of the event loop), so a huge
   * text — a 1M-character run — does not hold up the requests behind it: the
   * server reads and answers them between the slices.
   */
  async count(p: CountParams, slicer: TimeSlicer = createTimeSlicer()): Promise<CountResult> {
    const counter = p.encoding ? this.deps.counters.forEncoding(p.encoding) : this.deps.counters.forModel({ id: p.model, family: p.family });
    const inSlices = (text: string): number | Promise<number> =>
      'countTextInSlices' in counter ? (counter as CachingTokenCounter).countTextInSlices(text, slicer) : counter.countText(text);
    const texts: number[] = [];
    for (const text of p.texts) {
      await pause(slicer);
      texts.push(await inSlices(text));
    }
    const messages: number[] = [];
    for (const parts of p.messages) {
      // The long texts first, in slices (the counter caches them); then the parts as the engine counts them.
      for (const part of parts) for (const text of partTexts(part)) if (text.length > CHUNK_MAX_CHARS) await inSlices(text);
      await pause(slicer);
      messages.push(counter.countParts(parts));
    }
    return { encoding: counter.encoding, estimated: counter.estimated, texts, messages };
  }

  usage(p: UsageParams): UsageResult {
    const model = modelOf(p);
    const counter = this.deps.counters.forModel(model);
    const budget = this.budgetOf(p);
    const context = contextOf(p.log, counter);
    const usage = usageOf(context, budget, {
      calibration: calibrationFromLog(p.log, context),
      estimated: counter.estimated || p.log.records.some((r) => r.type === 'message' && r.encoding === 'estimate'),
    });
    return { usage, budget, contextTokens: contextTokens(context), contextMessages: context.length };
  }

  plan(p: PlanParams): PlanResult {
    checkLog(p.log);
    const budget = this.budgetOf(p);
    const options = this.optionsOf({ ...p, source: 'manual', id: 'plan', instructions: undefined }, budget);
    const result = this.deps.compact(p.log, options);
    const report = this.completeReport(result.report, p);
    return {
      status: result.status,
      wouldCompact: result.status === 'compacted',
      tiers: report.tiers,
      before: report.before,
      after: report.after,
      tokensSaved: report.tokensSaved,
      targetTokens: options.targetTokens,
      withinTarget: report.withinTarget ?? report.after.tokens <= options.targetTokens,
      budget,
      ...(report.reason !== undefined ? { reason: report.reason } : {}),
    };
  }

  compact(p: CompactParams): CompactResult {
    checkLog(p.log);
    const budget = this.budgetOf(p);
    const result = this.deps.compact(p.log, this.optionsOf(p, budget));
    return { ...result, report: this.completeReport(result.report, p) } as CompactResult;
  }

  /** Reads and imports a transcript, counted with the tokenizer of its model (or `p.model`, else gpt-4o's). */
  async import(p: ImportParams): Promise<ImportResult> {
    let text: string;
    try {
      // A FIFO or a device would block the server or read forever.
      if (!(await stat(p.path)).isFile()) throw new Error(`${p.path} is not a regular file`);
      text = await readFile(p.path, 'utf8');
    } catch (err) {
      const message = errorMessage(err);
      throw new EngineFailure('unreadable', message, message);
    }
    try {
      const imported = importSession(text, {
        fileName: basename(p.path),
        ...(p.model ? { fallbackModel: p.model } : {}),
        counterFor: (model) => this.deps.counters.forModel({ id: model?.id ?? 'gpt-4o', family: model?.family }),
      });
      return { header: imported.log.header, records: imported.log.records, warnings: imported.warnings, encoding: imported.encoding, estimated: imported.estimated };
    } catch (err) {
      if (err instanceof ImportError) throw new EngineFailure('invalid_transcript', err.message, err.message);
      throw err;
    }
  }

  /** The schema guarantees a window (params or header); levels default per budget.ts. */
  private budgetOf(p: BudgetInput): Budget {
    const model = modelOf(p);
    if (model.maxInputTokens === undefined) {
      throw new ParamsFailure('model.maxInputTokens', 'the model context window is unknown (neither params nor the session header give it)');
    }
    return budgetFor({ maxInputTokens: model.maxInputTokens, maxOutputTokens: model.maxOutputTokens }, p.levels ?? DEFAULT_LEVELS);
  }

  private optionsOf(p: CompactParams, budget: Budget): CompactOptions {
    if (p.partial) {
      const [key, id] = 'upto' in p.partial ? (['upto', p.partial.upto] as const) : (['from', p.partial.from] as const);
      if (!p.log.records.some((r) => r.type === 'message' && r.id === id)) {
        throw new ParamsFailure(`partial.${key}`, `no message with id "${id}" in the session log`);
      }
    }
    const options: CompactOptions = {
      source: p.source,
      strategy: p.strategy,
      targetTokens: p.targetTokens ?? budget.targetTokens,
      counter: this.deps.counters.forModel(modelOf(p)),
      clock: this.deps.clock,
      effectiveWindow: budget.effectiveWindow,
    };
    if (p.attachments !== undefined) options.attachments = p.attachments;
    if (p.requireTarget !== undefined) options.requireTarget = p.requireTarget;
    if (p.partial) options.partial = p.partial;
    if (p.keepTailTurns !== undefined) options.keepTailTurns = p.keepTailTurns;
    if (p.maskAfterTurns !== undefined) options.maskAfterTurns = p.maskAfterTurns;
    if (p.instructions !== undefined) options.instructions = p.instructions;
    if (p.id !== undefined) options.id = p.id;
    return options;
  }

  /** The model id of the request wins over the session header's (the planner knows only the header). */
  private completeReport(report: CompactionReport, p: BudgetInput): CompactionReport {
    const model = p.model?.id ?? report.model;
    return model !== undefined ? { ...report, model } : report;
  }
}
