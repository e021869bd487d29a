/**
 * Importers: read a transcript written by another tool into a `SessionLog`.
 * One file per format; each validates its input records with zod, reports a
 * malformed record as a warning (with its line number) and skips it, and maps
 * what remains through `LogBuilder` (ids, token counts, turns, system prompt).
 *
 * To add a format: write `<format>.ts` exporting `import<Format>(text, builder)`,
 * add its name to `FORMAT_NAMES` and its recognition to `detect.ts`, and an entry
 * in `IMPORTERS` below; test it on a real file in test/unit/compaction/importers.test.ts.
 */
import type { SessionLog } from '../records';
import type { TokenCounter } from '../types';
import { LogBuilder } from './builder';
import { importClaudeCode } from './claudeCode';
import { FORMAT_NAMES, detectFormat, isFormatName, type FormatName } from './detect';
import { ImportError, type ImportWarning } from './errors';
import { importMiniSweAgent } from './miniSweAgent';
import { importOpenAI } from './openai';
import { importOpenHands } from './openhands';
import { importPi } from './pi';
import { importSweAgent } from './sweAgent';

export { FORMAT_NAMES, detectFormat, isFormatName, ImportError };
export type { FormatName, ImportWarning };
export type { ImportErrorCode } from './errors';

export interface ImportOptions {
  /** Format of the text; detected from the content (and file name) when absent. */
  format?: FormatName;
  counter: TokenCounter;
  /** Used for detection, the default session id and error messages. */
  fileName?: string;
  /** pi only: turn pi's own compactions into compaction records (`apply`, default) or read the full transcript (`ignore`). */
  nativeCompactions?: 'apply' | 'ignore';
  /** OpenHands only: 1-based line of the run to import (default: the first). */
  run?: number;
}

export interface ImportResult {
  log: SessionLog;
  warnings: ImportWarning[];
  /** Ids of the messages that are real user requests (each starts a turn), in order. */
  requestIds: string[];
}

/** Each format's importer; pi and OpenHands take their own options from the call's. */
const IMPORTERS: Record<FormatName, (text: string, builder: LogBuilder, opts: ImportOptions) => void> = {
  openai: importOpenAI,
  'claude-code': importClaudeCode,
  pi: (text, builder, opts) => importPi(text, builder, { nativeCompactions: opts.nativeCompactions ?? 'apply' }),
  'swe-agent': importSweAgent,
  'mini-swe-agent': importMiniSweAgent,
  openhands: (text, builder, opts) => importOpenHands(text, builder, opts.run !== undefined ? { run: opts.run } : {}),
};

/**
 * Reads a transcript. Throws `ImportError` when the format is unknown or no
 * message could be read; a malformed record only adds a warning.
 */
export function importTranscript(text: string, opts: ImportOptions): ImportResult {
  const where = opts.fileName ? `${opts.fileName}: ` : '';
  if (opts.format !== undefined && !isFormatName(opts.format)) {
    throw new ImportError('unknown_format', `unknown format "${String(opts.format)}" (known: ${FORMAT_NAMES.join(', ')})`);
  }
  // A UTF-8 BOM (Windows editors) would make the JSON unparsable and hide the first JSONL line.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new ImportError('no_messages', `${where}the file is empty`);
  const format = opts.format ?? detectFormat(text, opts.fileName);
  if (!format) {
    throw new ImportError('unknown_format', `${where}cannot tell the transcript format; pass one of: ${FORMAT_NAMES.join(', ')}`);
  }
  const builder = new LogBuilder(opts.counter, format);
  IMPORTERS[format](text, builder, opts);
  const log = builder.build(opts.fileName);
  return { log, warnings: builder.warnings, requestIds: builder.requestIds };
}
