/**
 * Small hand-built sessions for the engine tests. Token counts use the
 * estimate counter (chars / 4 + overheads) so they are deterministic and fast;
 * tests that need real counts build their own counter.
 */
import type { CompactionRecord, MessageRecord, Part, RevertRecord, SessionLog } from '../../../src/compaction/records';
import { createEstimateCounter } from '../../../src/compaction/tokens/counter';
import type { Clock, TokenCounter } from '../../../src/compaction/types';

export const estimate: TokenCounter = createEstimateCounter();

/** A clock that advances 5 ms per reading. */
export function fakeClock(start = 1_700_000_000_000): Clock {
  let t = start;
  return { now: () => (t += 5) };
}

export function message(id: string, role: MessageRecord['role'], parts: Part[], counter: TokenCounter = estimate): MessageRecord {
  return { type: 'message', id, at: '2025-01-01T00:00:00.000Z', role, parts, tokens: counter.countParts(parts), encoding: counter.encoding };
}
export const user = (id: string, text: string) => message(id, 'user', [{ type: 'text', text }]);
export const assistant = (id: string, text: string) => message(id, 'assistant', [{ type: 'text', text }]);
export const call = (id: string, callId: string, name: string, args: Record<string, unknown>, text = '') =>
  message(id, 'assistant', [...(text ? [{ type: 'text' as const, text }] : []), { type: 'tool_call', id: callId, name, args }]);
export const result = (id: string, callId: string, name: string, text: string, isError = false) =>
  message(id, 'tool', [{ type: 'tool_result', callId, name, text, ...(isError ? { isError } : {}) }]);

export function session(records: SessionLog['records'], systemPrompt?: string): SessionLog {
  return {
    header: { type: 'session', v: 1, id: 's1', createdAt: '2025-01-01T00:00:00.000Z', ...(systemPrompt ? { systemPrompt } : {}) },
    records,
  };
}

export function revert(compactionId: string, id = `rv-${compactionId}`): RevertRecord {
  return { type: 'revert', id, at: '2025-01-01T00:00:00.000Z', compactionId };
}

/** A compaction record by hand (fields the fold reads). */
export function compactionRecord(id: string, fields: Partial<CompactionRecord>): CompactionRecord {
  return {
    type: 'compaction', id, at: '2025-01-01T00:00:00.000Z', source: 'manual', strategy: 'extractive', tiers: [],
    covered: [], replaced: [], summary: '', summaryTokens: 0, attachments: [],
    before: { tokens: 0, messages: 0 }, after: { tokens: 0, messages: 0 }, durationMs: 0, ...fields,
  };
}

/** Text of about `chars` characters (≈ chars / 4 estimated tokens). */
export function filler(chars: number, word = 'lorem'): string {
  return `${word} `.repeat(Math.ceil(chars / (word.length + 1))).slice(0, chars);
}

/** A session that reads src/a.ts twice and gets `content` both times (calls r1, r2; results t1, t2). */
export function repeatedRead(content: string): SessionLog {
  return session([
    user('u1', 'look at a.ts'),
    call('a1', 'r1', 'read_file', { path: 'src/a.ts' }),
    result('t1', 'r1', 'read_file', content),
    call('a2', 'r2', 'read_file', { path: 'src/a.ts' }),
    result('t2', 'r2', 'read_file', content),
    assistant('a3', 'ok'),
  ]);
}

/**
 * A coding session of `turns` user turns. Each turn (6 messages, ≈ 2×resultChars/4 + 60 tokens):
 * user request → assistant read_file call → its result (resultChars) →
 * assistant bash call → its result (resultChars; the second turn's fails) → assistant answer.
 * Default (5 turns, 2,000-char results): 30 messages, ≈ 2,700 estimated tokens.
 */
export function codingSession(turns = 5, resultChars = 2_000, systemPrompt = 'You are a coding agent.'): SessionLog {
  const records: MessageRecord[] = [];
  for (let t = 1; t <= turns; t++) {
    records.push(user(`u${t}`, `Request ${t}: please fix the bug in src/mod${t}.ts and do not touch package.json`));
    records.push(call(`a${t}a`, `c${t}r`, 'read_file', { path: `src/mod${t}.ts` }));
    records.push(result(`t${t}a`, `c${t}r`, 'read_file', filler(resultChars, `code${t}`)));
    records.push(call(`a${t}b`, `c${t}b`, 'bash', { command: `npm test -- mod${t}` }));
    const failed = t === 2;
    records.push(result(`t${t}b`, `c${t}b`, 'bash', failed ? `Error: expected 2 got 3 in parseThing\n${filler(resultChars)}` : filler(resultChars, 'ok'), failed));
    records.push(assistant(`a${t}c`, `Fixed mod${t}. I decided to keep parseThing because callers depend on it.`));
  }
  return session(records, systemPrompt);
}
