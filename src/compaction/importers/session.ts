/**
 * A transcript from another tool as a new session, as the "Import Transcript"
 * command stores it: the importer's log, the model the transcript names (or
 * the caller's fallback), every message counted with that model's tokenizer,
 * and a title. One function for both places that do it: the compaction server
 * (`compaction/import`, tiktoken) and the extension host while the server is
 * unavailable (the estimate counter, labelled so).
 *
 * Counts: the importer runs with the estimate counter (the model is known only
 * once the transcript is read), then the messages are counted again with
 * `counterFor(model)`; the header's system prompt and any imported compaction
 * records keep their estimates, as they always have.
 */
import type { MessageRecord, ModelInfo, SessionLog } from '../records';
import { createEstimateCounter } from '../tokens/counter';
import type { TokenCounter } from '../types';
import { importTranscript, type ImportWarning } from './index';

/** Longest title taken from the first request (characters, the ellipsis included). */
const TITLE_MAX_CHARS = 60;

export interface ImportSessionOptions {
  /** The file's name (no folder): detection, the default title and error messages. */
  fileName: string;
  /** The model to measure against when the transcript names none. */
  fallbackModel?: ModelInfo;
  /** The counter for the session's model; the estimate counter when it returns one with encoding `estimate`. */
  counterFor(model: ModelInfo | undefined): TokenCounter;
}

export interface ImportedSession {
  /** The header has its title; its id and creation time are the importer's (the store assigns new ones). */
  log: SessionLog;
  warnings: ImportWarning[];
  /** The encoding the messages were counted with. */
  encoding: string;
  /** True when the counts are estimates (no tokenizer). */
  estimated: boolean;
}

/** Throws `ImportError` when the transcript cannot be read (as `importTranscript`). */
export function importSession(text: string, options: ImportSessionOptions): ImportedSession {
  const { log, warnings } = importTranscript(text, { counter: createEstimateCounter(), fileName: options.fileName });
  if (!log.header.model && options.fallbackModel) log.header.model = options.fallbackModel;
  const messages = log.records.filter((r): r is MessageRecord => r.type === 'message');
  const counter = options.counterFor(log.header.model);
  if (!counter.estimated) {
    for (const m of messages) {
      m.tokens = counter.countParts(m.parts);
      m.encoding = counter.encoding;
    }
  }
  log.header.title = log.header.title ?? titleFromFirstRequest(messages) ?? `Imported: ${options.fileName}`;
  return { log, warnings, encoding: counter.encoding, estimated: counter.estimated };
}

/** The first line of the first user request, without Markdown marks, cut to TITLE_MAX_CHARS. */
export function titleFromFirstRequest(messages: readonly MessageRecord[]): string | undefined {
  for (const m of messages) {
    if (m.role !== 'user') continue;
    for (const p of m.parts) {
      const line = p.type === 'text' ? p.text.trim().split('\n')[0]?.replace(/[`*_#>]/g, '').trim() : undefined;
      if (line) return line.length > TITLE_MAX_CHARS ? `${line.slice(0, TITLE_MAX_CHARS - 3)}…` : line;
    }
  }
  return undefined;
}
