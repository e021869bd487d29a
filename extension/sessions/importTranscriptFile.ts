import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { importSession } from '../../src/compaction/importers/session';
import type { ImportParamsInput, ImportResult } from '../../src/compaction/protocol';
import type { ModelInfo, SessionLog } from '../../src/compaction/records';
import { createEstimateCounter } from '../../src/compaction/tokens/counter';
import { EngineRequestError, EngineUnavailableError } from '../serverClient/engineErrors';

export interface ImportedSession {
  log: SessionLog;
  warnings: string[];
  /** True when counts are estimates (the compaction server was unavailable, or its tokenizer). */
  estimated: boolean;
}

/** What the import needs from EngineClient and SessionService (small, so it is unit-testable). */
export interface ImportHost {
  engine: { importTranscript(params: ImportParamsInput): Promise<ImportResult> };
  sessions: { createFrom(source: SessionLog): Promise<SessionLog> };
}

/**
 * Reads a transcript written by another tool (Claude Code, pi, OpenAI chat,
 * SWE-agent, mini-swe-agent, OpenHands — detected from the content) into a new
 * session. The compaction server reads, imports and counts it with its
 * tokenizer (`compaction/import`), so the extension host only stores the
 * result, in time slices (SessionStore.append). While the server is
 * unavailable the import runs here with estimated counts, labelled so.
 */
export async function importTranscriptFile(host: ImportHost, path: string, fallbackModel?: ModelInfo): Promise<ImportedSession> {
  const imported = (await importWithServer(host, path, fallbackModel)) ?? (await importHere(path, fallbackModel));
  const created = await host.sessions.createFrom(imported.log);
  return { log: created, warnings: imported.warnings.map((w) => `line ${w.line}: ${w.message}`), estimated: imported.estimated };
}

interface Imported {
  log: SessionLog;
  warnings: ImportResult['warnings'];
  estimated: boolean;
}

/** The server's import; undefined when the server is unavailable. A file it cannot import fails with the reason in words. */
async function importWithServer(host: ImportHost, path: string, fallbackModel: ModelInfo | undefined): Promise<Imported | undefined> {
  try {
    const r = await host.engine.importTranscript({ path, ...(fallbackModel ? { model: fallbackModel } : {}) });
    return { log: { header: r.header, records: r.records }, warnings: r.warnings, estimated: r.estimated };
  } catch (err) {
    if (err instanceof EngineUnavailableError) return undefined;
    if (err instanceof EngineRequestError && err.data?.kind === 'EngineError' && err.data.reason !== undefined) throw new Error(err.data.reason);
    throw err;
  }
}

/** The same import in the extension host, with the estimate counter (the parse is one synchronous step; storing is sliced). */
async function importHere(path: string, fallbackModel: ModelInfo | undefined): Promise<Imported> {
  const text = await readFile(path, 'utf8');
  const estimate = createEstimateCounter();
  const { log, warnings } = importSession(text, { fileName: basename(path), ...(fallbackModel ? { fallbackModel } : {}), counterFor: () => estimate });
  return { log, warnings, estimated: true };
}
