/**
 * Workloads built from the real transcripts in the shared corpus (read-only;
 * `COMPACTOR_CORPUS`, default `../shared/corpus` from the repo root): the text
 * of every message part (for tokenizer throughput) and synthetic sessions of a
 * chosen size made by repeating the corpus messages in order (for usage and
 * compaction), so sizes beyond the corpus keep its real mix of requests, tool
 * calls and tool results.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importTranscript } from '../../src/compaction/importers';
import { argsText } from '../../src/compaction/tokens/counter';
import type { MessageRecord, Part, SessionLog } from '../../src/compaction/records';
import type { TokenCounter } from '../../src/compaction/types';

export const CORPUS_DIR = resolve(process.env.COMPACTOR_CORPUS ?? join(__dirname, '..', '..', '..', 'shared', 'corpus'));

export interface CorpusSession {
  file: string;
  log: SessionLog;
}

/** Every transcript of the corpus the importers can read (SOURCES.tsv and unreadable files are skipped). */
export function loadCorpus(counter: TokenCounter, dir = CORPUS_DIR): CorpusSession[] {
  if (!existsSync(dir)) throw new Error(`corpus not found at ${dir} (set COMPACTOR_CORPUS)`);
  const out: CorpusSession[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith('.tsv') || file.endsWith('.md')) continue;
    try {
      const { log } = importTranscript(readFileSync(join(dir, file), 'utf8'), { counter, fileName: file, nativeCompactions: 'ignore' });
      out.push({ file, log });
    } catch (err) {
      console.warn(`bench: skipped ${file}: ${String(err)}`);
    }
  }
  if (out.length === 0) throw new Error(`no readable transcript in ${dir}`);
  return out;
}

/** The strings a token counter sees for one part (what `partCost` counts), without overheads. */
export function partTexts(part: Part): string[] {
  switch (part.type) {
    case 'text':
    case 'thinking':
      return [part.text];
    case 'tool_call':
      return [part.name, argsText(part.args)];
    case 'tool_result':
      return part.name ? [part.text, part.name] : [part.text];
    case 'document':
      return part.name ? [part.name] : [];
    case 'image':
      return [];
  }
}

/** Every non-empty text of every message of the corpus, in order. */
export function corpusTexts(sessions: readonly CorpusSession[]): string[] {
  const out: string[] = [];
  for (const s of sessions) {
    for (const r of s.log.records) {
      if (r.type !== 'message') continue;
      for (const p of r.parts) for (const t of partTexts(p)) if (t.length > 0) out.push(t);
    }
  }
  return out;
}

/** Every message record of the corpus, in file order. */
export function corpusMessages(sessions: readonly CorpusSession[]): MessageRecord[] {
  return sessions.flatMap((s) => s.log.records.filter((r): r is MessageRecord => r.type === 'message'));
}

/**
 * The parts of copy `k` of a corpus message: copy 0 is the message itself;
 * later copies get unique tool-call ids (so calls still pair with their own
 * results) and a `[copy k]` line after every text, so a token counter's cache
 * cannot recognise a text from an earlier copy.
 */
export function copyParts(parts: readonly Part[], k: number): Part[] {
  if (k === 0) return parts as Part[];
  const tag = `\n[copy ${k}]`;
  return parts.map((p): Part => {
    switch (p.type) {
      case 'text':
      case 'thinking':
        return { ...p, text: p.text + tag };
      case 'tool_call':
        return { ...p, id: `${p.id}~${k}` };
      case 'tool_result':
        return { ...p, callId: `${p.callId}~${k}`, text: p.text + tag };
      default:
        return p;
    }
  });
}

/** Tokens the `[copy k]` lines add to a message (an estimate: 4 per tagged part; counts are not re-tokenized). */
const COPY_TAG_TOKENS = 4;

/**
 * A session of at least `tokens` tokens (stored counts), made of the corpus
 * messages repeated in order (see copyParts) with fresh ids and turn numbers.
 * No compaction records, no provider-reported usage (as with vscode.lm,
 * which reports none).
 */
export function syntheticSession(messages: readonly MessageRecord[], tokens: number, id = `bench-${tokens}`): SessionLog {
  if (messages.length === 0) throw new Error('no corpus messages to build a session from');
  const records: MessageRecord[] = [];
  let total = 0;
  let turn = 0;
  for (let i = 0; total < tokens; i++) {
    const m = messages[i % messages.length]!;
    const k = Math.floor(i / messages.length);
    const parts = copyParts(m.parts, k);
    const tagged = k === 0 ? 0 : parts.filter((p) => p.type === 'text' || p.type === 'thinking' || p.type === 'tool_result').length;
    if (m.role === 'user' && m.parts.some((p) => p.type === 'text')) turn++;
    const { usage: _reported, ...rest } = m; // reported usage belonged to the original context, not this one
    const rec: MessageRecord = { ...rest, id: `${id}-m${i}`, parts, tokens: m.tokens + tagged * COPY_TAG_TOKENS, turn };
    records.push(rec);
    total += rec.tokens;
  }
  return {
    header: { type: 'session', v: 1, id, createdAt: new Date(0).toISOString(), title: `synthetic ${tokens} tokens`, model: { id: 'gpt-4o', maxInputTokens: Math.max(tokens, 128_000) } },
    records,
  };
}

/** Sum of the stored message tokens of a log. */
export function storedTokens(log: SessionLog): number {
  let sum = 0;
  for (const r of log.records) if (r.type === 'message') sum += r.tokens;
  return sum;
}

/** Total UTF-16 length of `texts` (for throughput per character). */
export function totalChars(texts: readonly string[]): number {
  let n = 0;
  for (const t of texts) n += t.length;
  return n;
}
