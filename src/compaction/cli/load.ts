/**
 * Reads a transcript file for a CLI command: the counter (tiktoken o200k_base,
 * or the chars/4 estimate when the tokenizer cannot load or `--estimate` asks),
 * the import, and the warnings (a few are printed to stderr, the rest counted).
 */
import { readFileSync, statSync } from 'node:fs';
import { ImportError, importTranscript, isFormatName, FORMAT_NAMES, type ImportWarning } from '../importers';
import type { SessionLog } from '../records';
import { counterForModel, createEstimateCounter } from '../tokens/counter';
import { DEFAULT_ENCODING } from '../tokens/modelFamilies';
import type { TokenCounter } from '../types';
import { CliError } from './errors';

/** Warnings printed to stderr; the rest are only counted. */
const WARNINGS_SHOWN = 5;

export interface LoadOptions {
  format?: string;
  estimate?: boolean;
  /** pi: read the full transcript, not the context after pi's own compactions. */
  ignoreNativeCompactions?: boolean;
  /** OpenHands: 1-based line of the run. */
  run?: number;
}

export interface Loaded {
  log: SessionLog;
  counter: TokenCounter;
  warnings: ImportWarning[];
}

export function createCounter(estimate: boolean, onFallback: (message: string) => void): TokenCounter {
  if (estimate) return createEstimateCounter();
  // The model id only picks the encoding; o200k_base is the engine's default approximation.
  return counterForModel(DEFAULT_ENCODING === 'o200k_base' ? 'gpt-4o' : 'gpt-4', {
    onFallback: (err) => onFallback(`tokenizer unavailable, using the chars/4 estimate (${String(err)})`),
  });
}

export function loadTranscript(file: string, options: LoadOptions, stderr: (line: string) => void): Loaded {
  if (options.format !== undefined && !isFormatName(options.format)) {
    throw new CliError(`unknown format "${options.format}" (known: ${FORMAT_NAMES.join(', ')})`, 2);
  }
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new CliError(`${file} is a directory, not a transcript`, 1);
    // A FIFO with no writer or a device (/dev/zero) would block or read forever.
    if (!st.isFile()) throw new CliError(`${file} is not a regular file (${kindOf(st)}); give a transcript file`, 1);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${(err as Error).message}`, 1);
  }
  const counter = createCounter(options.estimate ?? false, (m) => stderr(`warning: ${m}`));
  try {
    const { log, warnings } = importTranscript(text, {
      counter,
      fileName: file,
      ...(options.format !== undefined && isFormatName(options.format) ? { format: options.format } : {}),
      nativeCompactions: options.ignoreNativeCompactions ? 'ignore' : 'apply',
      ...(options.run !== undefined ? { run: options.run } : {}),
    });
    warnings.slice(0, WARNINGS_SHOWN).forEach((w) => stderr(`warning: ${file}${w.line > 0 ? `:${w.line}` : ''}: ${w.message}`));
    if (warnings.length > WARNINGS_SHOWN) stderr(`warning: ${warnings.length - WARNINGS_SHOWN} more warnings not shown`);
    return { log, counter, warnings };
  } catch (err) {
    if (err instanceof ImportError) throw new CliError(err.message, 1);
    throw err;
  }
}

function kindOf(st: import('node:fs').Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}
