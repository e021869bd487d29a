/** `compactor stats`: the usage breakdown of a transcript's current context. */
import { contextOf, messagesOf } from '../context';
import { calibrationFromLog, usageOf } from '../usage';
import type { Loaded } from './load';
import { formatStatsTable } from './statsTable';
import { budgetForCli } from './window';

export interface StatsOptions {
  file: string;
  window?: number;
  json: boolean;
}

export function runStats(loaded: Loaded, options: StatsOptions): string {
  const { log, counter } = loaded;
  const context = contextOf(log, counter);
  const budget = budgetForCli(log, options.window);
  const calibration = calibrationFromLog(log, context);
  const usage = usageOf(context, budget, { estimated: counter.estimated, ...(calibration ? { calibration } : {}) });
  const heading = {
    file: options.file,
    format: log.header.importedFrom ?? 'log',
    messages: messagesOf(log).length,
    ...(log.header.model ? { model: log.header.model.id } : {}),
    encoding: counter.encoding,
  };
  if (options.json) {
    return JSON.stringify({ session: { id: log.header.id, ...heading, contextMessages: context.length }, usage, warnings: loaded.warnings.length });
  }
  return formatStatsTable(heading, usage);
}
