/**
 * Proposals for the propose/apply tests: real records from the LLM pipeline
 * (src/compaction/llm) with a scripted model, over an in-memory session.
 */
import { summarizeCompaction } from '../../../src/compaction/llm/pipeline';
import { markOf } from '../../../src/compaction/proposal';
import type { BodyRecord, CompactionRecord, RewindRecord, SessionLog } from '../../../src/compaction/records';
import type { ApplyHost, Proposal } from '../../../extension/sessions/proposals';
import { assistant, codingSession, compactionRecord, estimate, fakeClock, revert, user } from '../compaction/fixtures';
import { instantSleep, modelAnswer, type ScriptedSummarizer, scripted } from '../llm/helpers';

export { assistant, codingSession, compactionRecord, estimate, modelAnswer, revert, scripted, user };

/** codingSession(6, 2_000): 36 messages, ≈ 6,400 estimated tokens; the last turn stays verbatim. */
export function sessionLog(): SessionLog {
  return codingSession(6, 2_000);
}

export async function proposeOn(log: SessionLog, summarizer: ScriptedSummarizer = scripted([modelAnswer()]), signal = new AbortController().signal): Promise<Proposal | undefined> {
  const mark = markOf(log);
  const r = await summarizeCompaction(log, {
    source: 'auto', summarizer, counter: estimate, clock: fakeClock(), signal,
    targetTokens: 3_000, summarizerMaxInputTokens: 100_000, keepTailTurns: 1, sleep: instantSleep(),
  });
  if (r.status !== 'compacted') return undefined;
  return { key: r.record.id, sessionId: log.header.id, source: 'auto', record: r.record, report: r.report, mark };
}

export function rewind(id: string, fromTurn = 0): RewindRecord {
  return { type: 'rewind', id, at: '2025-01-01T00:00:00.000Z', fromTurn };
}

/** An ApplyHost over one in-memory log; `counted` records the summaries counted. */
export function memoryHost(log: SessionLog, count: (text: string) => number = (t) => estimate.countText(t)): ApplyHost & { counted: string[]; appended: CompactionRecord[] } {
  const counted: string[] = [];
  const appended: CompactionRecord[] = [];
  return {
    counted,
    appended,
    load: async () => log,
    countSummary: async (_log, text) => {
      counted.push(text);
      return count(text);
    },
    append: async (_id, record) => {
      appended.push(record);
      log.records.push(record as BodyRecord);
    },
  };
}

export const later = (log: SessionLog, ...records: BodyRecord[]) => log.records.push(...records);
export const newTurn = (n: number) => [user(`late-u${n}`, `Late request ${n}: also check src/extra${n}.ts`), assistant(`late-a${n}`, `Checked src/extra${n}.ts.`)];
export { compactionRecord as aCompaction };
