/**
 * `compactor compact`: runs the engine's `compact` on a transcript and prints
 * the compacted context (OpenAI chat format) and the report.
 *
 * Exit status: 0 when compacted or when there was nothing to compact; 3 when
 * the engine refused (`inflated`, `over_target`, ...) — the JSON is printed
 * anyway, with the uncompacted context and the report saying why.
 */
import { contextOf, contextTokens, messagesOf } from '../context';
import { toOpenAIMessages } from '../export/openai';
import { compact } from '../planner';
import type { CompactOptions, CompactionReport, Strategy } from '../types';
import { CliError } from './errors';
import type { Loaded } from './load';
import { budgetForCli } from './window';

export const STRATEGIES: readonly Strategy[] = ['auto', 'mask', 'extractive', 'truncate'];

export interface CompactCliOptions {
  strategy: Strategy;
  targetTokens?: number;
  window?: number;
  upto?: number;
  from?: number;
  json: boolean;
  /** CompactOptions.recallAwareMasking. */
  recallAwareMasking?: boolean;
}

export interface CompactOutput {
  text: string;
  exitCode: 0 | 3;
  /** One line for stderr when the engine refused. */
  note?: string;
}

function partialOf(loaded: Loaded, o: CompactCliOptions): CompactOptions['partial'] {
  if (o.upto === undefined && o.from === undefined) return undefined;
  if (o.upto !== undefined && o.from !== undefined) throw new CliError('use --upto or --from, not both', 2);
  const messages = messagesOf(loaded.log);
  const n = (o.upto ?? o.from)!;
  const m = messages[n];
  if (!m) throw new CliError(`message index ${n} is out of range (the transcript has ${messages.length} messages, 0-based)`, 2);
  return o.upto !== undefined ? { upto: m.id } : { from: m.id };
}

function describe(report: CompactionReport, target: number): string {
  const b = report.before;
  const a = report.after;
  const tiers = report.tiers.map((t) => `${t.tier}×${t.count}`).join(', ') || 'none';
  return [
    `status     ${report.status}${report.reason ? ` — ${report.reason}` : ''}`,
    `strategy   ${report.strategy} (tiers: ${tiers})`,
    `target     ${target.toLocaleString('en-US')} tokens`,
    `before     ${b.tokens.toLocaleString('en-US')} tokens, ${b.messages} messages`,
    `after      ${a.tokens.toLocaleString('en-US')} tokens, ${a.messages} messages`,
    `saved      ${report.tokensSaved.toLocaleString('en-US')} tokens in ${Math.round(report.durationMs)} ms`,
  ].join('\n');
}

export function runCompact(loaded: Loaded, o: CompactCliOptions): CompactOutput {
  const { log, counter } = loaded;
  const budget = budgetForCli(log, o.window);
  const targetTokens = o.targetTokens ?? budget.targetTokens;
  const partial = partialOf(loaded, o);
  const result = compact(log, {
    source: partial ? 'partial' : 'manual',
    strategy: o.strategy,
    targetTokens,
    counter,
    clock: { now: () => performance.now() },
    ...(partial ? { partial } : {}),
    ...(o.recallAwareMasking ? { recallAwareMasking: true } : {}),
  });
  const context = result.status === 'compacted' ? result.context : contextOf(log, counter);
  const ok = result.status === 'compacted' || result.status === 'nothing_to_compact';
  const exitCode = ok ? 0 : 3;
  const note = ok ? undefined : `compaction ${result.status}: ${result.report.reason ?? 'no reason given'}`;
  if (o.json) {
    return { text: JSON.stringify({ messages: toOpenAIMessages(context), report: result.report }), exitCode, ...(note ? { note } : {}) };
  }
  const text = `${describe(result.report, targetTokens)}\ncontext    ${contextTokens(context).toLocaleString('en-US')} tokens in ${context.length} messages`;
  return { text, exitCode, ...(note ? { note } : {}) };
}
