import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { importTranscript } from '../../src/compaction/importers';
import type { MessageRecord, ModelInfo, SessionLog } from '../../src/compaction/records';
import { createEstimateCounter } from '../../src/compaction/tokens/counter';
import type { EngineClient } from '../engine/engineClient';
import type { SessionService } from './sessionService';

/** Messages per `compaction/count` request when an import is re-counted by the server. */
const COUNT_BATCH_MESSAGES = 500;

export interface ImportedSession {
  log: SessionLog;
  warnings: string[];
  /** True when counts are estimates (the compaction server was unavailable). */
  estimated: boolean;
}

/**
 * Reads a transcript written by another tool (Claude Code, pi, OpenAI chat,
 * SWE-agent, mini-swe-agent, OpenHands — detected from the content) into a new
 * session. Tokens are counted by the compaction server's tokenizer, in batches,
 * or estimated (and labelled so) while it is unavailable.
 */
export async function importTranscriptFile(sessions: SessionService, engine: EngineClient, path: string, fallbackModel?: ModelInfo): Promise<ImportedSession> {
  const text = await readFile(path, 'utf8');
  const { log, warnings } = importTranscript(text, { counter: createEstimateCounter(), fileName: basename(path) });
  if (!log.header.model && fallbackModel) log.header.model = fallbackModel;
  const messages = log.records.filter((r): r is MessageRecord => r.type === 'message');
  let estimated = false;
  try {
    for (let i = 0; i < messages.length; i += COUNT_BATCH_MESSAGES) {
      const batch = messages.slice(i, i + COUNT_BATCH_MESSAGES);
      const model = log.header.model;
      const counted = await engine.count({ model: model?.id ?? 'gpt-4o', ...(model?.family ? { family: model.family } : {}), messages: batch.map((m) => m.parts) });
      batch.forEach((m, j) => {
        m.tokens = counted.messages[j] ?? m.tokens;
        m.encoding = counted.encoding;
      });
    }
  } catch {
    estimated = true;
  }
  const title = log.header.title ?? titleFromFirstRequest(messages) ?? `Imported: ${basename(path)}`;
  const created = await sessions.createFrom({ ...log, header: { ...log.header, title } });
  return { log: created, warnings: warnings.map((w) => `line ${w.line}: ${w.message}`), estimated };
}

function titleFromFirstRequest(messages: readonly MessageRecord[]): string | undefined {
  for (const m of messages) {
    if (m.role !== 'user') continue;
    for (const p of m.parts) {
      const line = p.type === 'text' ? p.text.trim().split('\n')[0]?.replace(/[`*_#>]/g, '').trim() : undefined;
      if (line) return line.length > 60 ? `${line.slice(0, 57)}…` : line;
    }
  }
  return undefined;
}
