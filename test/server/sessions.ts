/**
 * Session logs for the server tests, with token counts from the real o200k
 * tokenizer (what the server uses for gpt-4o), stored as the extension would.
 */
import type { MessageRecord, ModelInfo, Part, SessionLog } from '../../src/compaction/records';
import { createTokenCounter } from '../../src/compaction/tokens/counter';

export const counter = createTokenCounter({ encoding: 'o200k_base' });

/** gpt-4o with a small window so a few turns fill it: window 16,000, reserve 4,000, effective 12,000. */
export const SMALL_GPT4O: ModelInfo = { id: 'gpt-4o', family: 'gpt-4o', maxInputTokens: 16_000, maxOutputTokens: 4_000 };

function message(id: string, role: MessageRecord['role'], parts: Part[], turn: number): MessageRecord {
  return { type: 'message', id, at: '2025-01-01T00:00:00.000Z', role, parts, tokens: counter.countParts(parts), encoding: counter.encoding, turn };
}

/** Varied text of about `words` words (tokenizes to roughly `words` tokens). */
function prose(words: number, seed: string): string {
  const vocab = ['alpha', 'parse', 'buffer', 'module', 'return', 'value', 'config', 'error', 'render', 'client', 'server', 'token'];
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(`${vocab[(i * 7 + seed.length) % vocab.length]}${i % 13}`);
  return out.join(' ');
}

/**
 * A coding session of `turns` user turns, 6 messages each: request, read_file
 * call, its result (`resultWords`), bash call, its result, answer. With the
 * defaults (8 turns, 300 words): 48 messages, about 10,400 tokens — over the
 * 85% auto level (10,200) of SMALL_GPT4O.
 */
export function codingSession(turns = 8, resultWords = 300, model: ModelInfo = SMALL_GPT4O): SessionLog {
  const records: MessageRecord[] = [];
  for (let t = 1; t <= turns; t++) {
    records.push(message(`u${t}`, 'user', [{ type: 'text', text: `Request ${t}: fix the bug in src/mod${t}.ts without touching package.json` }], t));
    records.push(message(`a${t}a`, 'assistant', [{ type: 'tool_call', id: `c${t}r`, name: 'read_file', args: { path: `src/mod${t}.ts` } }], t));
    records.push(message(`t${t}a`, 'tool', [{ type: 'tool_result', callId: `c${t}r`, name: 'read_file', text: prose(resultWords, `read${t}`) }], t));
    records.push(message(`a${t}b`, 'assistant', [{ type: 'tool_call', id: `c${t}b`, name: 'bash', args: { command: `npm test -- mod${t}` } }], t));
    records.push(message(`t${t}b`, 'tool', [{ type: 'tool_result', callId: `c${t}b`, name: 'bash', text: prose(resultWords, `bash${t}`) }], t));
    records.push(message(`a${t}c`, 'assistant', [{ type: 'text', text: `Fixed mod${t}: parseThing now checks the buffer length first.` }], t));
  }
  return {
    header: { type: 'session', v: 1, id: 'server-test', createdAt: '2025-01-01T00:00:00.000Z', model, systemPrompt: 'You are a careful coding agent.' },
    records,
  };
}
