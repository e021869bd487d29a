/**
 * Recall by query: a ranked search over a session's whole history
 * (documents.ts says what is searched), with bounded output.
 *
 * Ranking is BM25 (k1 = 1.2, b = 0.75) over the query's terms, each counted
 * where it starts a word or a part of an identifier (the query `parse date`
 * finds `parseDate`; `parseDate` is also searched as its parts), plus a
 * bonus when the whole query occurs as a phrase; ties go to the newer
 * passage. Deterministic: the same log and query give the same answer.
 *
 * Bounds: at most `limit` hits (RECALL_MAX_LIMIT), each shown as a header and
 * up to RECALL_SNIPPETS_PER_HIT snippets around its matches, all of it within
 * `maxChars`.
 *
 * The scan is a generator that yields between documents, so the extension
 * host can run it in time slices (`searchSessionInSlices`) and the server or
 * a test in one go (`searchSession`).
 */
import {
  RECALL_DEFAULT_LIMIT, RECALL_MAX_LIMIT, RECALL_SEARCH_MAX_CHARS, RECALL_SNIPPET_RADIUS_CHARS, RECALL_SNIPPETS_PER_HIT, RECALL_TOOL_NAME,
} from '../constants';
import type { SessionLog } from '../records';
import { pause, type TimeSlicer } from '../timeSlicer';
import { recallDocuments, type RecallDoc } from './documents';

const K1 = 1.2;
const B = 0.75;
/** A passage holding the whole query as a phrase scores this much more (BM25 alone ignores word order). */
const PHRASE_BONUS_FACTOR = 1.5;
/** Words that carry no meaning in a query ("what did the test say"). */
const STOP_WORDS = new Set(['a', 'an', 'and', 'are', 'did', 'do', 'for', 'in', 'is', 'it', 'of', 'on', 'or', 'the', 'to', 'was', 'what', 'with']);
const WORD = /[\p{L}\p{N}_]+/gu;

export interface SearchOptions {
  /** Most hits (default RECALL_DEFAULT_LIMIT, at most RECALL_MAX_LIMIT). */
  limit?: number;
  /** Characters of the whole formatted answer (default RECALL_SEARCH_MAX_CHARS). */
  maxChars?: number;
}

export interface RecallHit {
  doc: RecallDoc;
  score: number;
  /** Passages of the text around the matches, whitespace collapsed, in text order. */
  snippets: string[];
}

export interface SearchResult {
  query: string;
  /** The terms searched for (lower case, stop words left out). */
  terms: string[];
  hits: RecallHit[];
  /** Documents with at least one term. */
  matched: number;
  /** Documents searched. */
  searched: number;
}

/** The parts of an identifier: camelCase, snake_case and digit boundaries (`parseISODate2` → parse, iso, date, 2). */
function pieces(word: string): string[] {
  return word
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter((p) => p.length > 0)
    .map((p) => p.toLowerCase());
}

/** Terms of a text: each word lower-cased, and its parts when it is a compound identifier. */
export function termsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = m[0];
    out.push(word.toLowerCase());
    const ps = pieces(word);
    if (ps.length > 1) for (const p of ps) out.push(p);
  }
  return out;
}

export function queryTerms(query: string): string[] {
  const all = [...new Set(termsOf(query))];
  const meaningful = all.filter((t) => !STOP_WORDS.has(t));
  return meaningful.length > 0 ? meaningful : all;
}

const phraseOf = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();
/** Whether the text holds the (collapsed, lower-case) phrase, whitespace-insensitive. */
const phraseIn = (text: string, phrase: string) => phraseIndex(text.toLowerCase(), phrase) >= 0;

interface Stats {
  length: number;
  tf: Map<string, number>;
  phrase: boolean;
}

const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c > 127 && /[\p{L}\p{N}]/u.test(String.fromCharCode(c)));
const isLower = (c: number) => c >= 97 && c <= 122;
const isUpper = (c: number) => c >= 65 && c <= 90;

/**
 * Whether a match at `i` starts a word or a part of an identifier: after a
 * non-alphanumeric character (`_` included), or at a camelCase boundary. A
 * term matches a word's start, so `test` also finds `tests` (what a person
 * searching a log wants).
 */
function startsWord(text: string, i: number): boolean {
  if (i === 0) return true;
  const prev = text.charCodeAt(i - 1);
  if (!isAlnum(prev)) return true;
  return isLower(prev) && isUpper(text.charCodeAt(i));
}

/**
 * Occurrences of each term at a word start. Native indexOf over the
 * lower-cased text: a 1M-token session is searched in tens of milliseconds,
 * not by splitting every word of it.
 */
function countTerms(text: string, terms: readonly string[]): Map<string, number> {
  const lower = text.toLowerCase();
  // Lower-casing changed the length (rare scripts): positions differ, so only the lower-cased text is looked at.
  const original = lower.length === text.length ? text : lower;
  const tf = new Map<string, number>();
  for (const t of terms) {
    let n = 0;
    for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, i + t.length)) if (startsWord(original, i)) n++;
    if (n > 0) tf.set(t, n);
  }
  return tf;
}

/** The search, one document per step (see the file comment). */
function* searchSteps(log: SessionLog, query: string, options: SearchOptions): Generator<void, SearchResult> {
  const limit = Math.max(1, Math.min(RECALL_MAX_LIMIT, Math.floor(options.limit ?? RECALL_DEFAULT_LIMIT)));
  const terms = queryTerms(query);
  const phrase = terms.length > 1 ? phraseOf(query) : '';
  const docs = recallDocuments(log);
  yield;
  const stats: Stats[] = [];
  const df = new Map<string, number>();
  let totalLength = 0;
  for (const doc of docs) {
    // Length in characters: BM25 only uses it relative to the average.
    const tf = countTerms(doc.text, terms);
    // The phrase can only occur where every term does; checked here, a step per document, not in one go after.
    const s = { length: doc.text.length, tf, phrase: phrase !== '' && tf.size === terms.length && phraseIn(doc.text, phrase) };
    for (const t of s.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    stats.push(s);
    totalLength += s.length;
    yield;
  }
  const n = docs.length;
  const avgLength = n > 0 ? totalLength / n : 1;
  const scored: { index: number; score: number }[] = [];
  stats.forEach((s, index) => {
    if (s.tf.size === 0) return;
    let score = 0;
    for (const [t, f] of s.tf) {
      const d = df.get(t) ?? 0;
      const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
      score += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * s.length) / avgLength));
    }
    if (s.phrase) score *= PHRASE_BONUS_FACTOR;
    scored.push({ index, score });
  });
  // Best first; equal scores: the newer passage first (what the conversation last knew).
  scored.sort((a, b) => b.score - a.score || b.index - a.index);
  const hits = scored.slice(0, limit).map(({ index, score }) => {
    const doc = docs[index]!;
    return { doc, score, snippets: snippetsOf(doc.text, terms, phrase) };
  });
  return { query, terms, hits, matched: scored.length, searched: n };
}

/** The search in one go (server, CLI, tests). */
export function searchSession(log: SessionLog, query: string, options: SearchOptions = {}): SearchResult {
  const steps = searchSteps(log, query, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The search giving the event loop a turn whenever a slice is over (the extension host). */
export async function searchSessionInSlices(log: SessionLog, query: string, options: SearchOptions, slicer: TimeSlicer): Promise<SearchResult> {
  const steps = searchSteps(log, query, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause(slicer);
  }
}

/**
 * Up to RECALL_SNIPPETS_PER_HIT windows of the text around matches: the
 * phrase first when it occurs, then the first match of each term not yet
 * shown; overlapping windows are merged.
 */
export function snippetsOf(text: string, terms: readonly string[], phrase = ''): string[] {
  const lower = text.toLowerCase();
  const at: number[] = [];
  if (phrase) {
    const i = phraseIndex(lower, phrase);
    if (i >= 0) at.push(i);
  }
  const shown = (i: number) => at.some((a) => Math.abs(a - i) <= RECALL_SNIPPET_RADIUS_CHARS);
  for (const t of terms) {
    if (at.length >= RECALL_SNIPPETS_PER_HIT) break;
    const i = termIndex(text, lower, t);
    if (i >= 0 && !shown(i)) at.push(i);
  }
  if (at.length === 0) at.push(0);
  const windows = at
    .map((i) => [Math.max(0, i - RECALL_SNIPPET_RADIUS_CHARS), Math.min(text.length, i + RECALL_SNIPPET_RADIUS_CHARS)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const w of windows) {
    const last = merged[merged.length - 1];
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else merged.push(w);
  }
  return merged.map(([s, e]) => `${s > 0 ? '…' : ''}${text.slice(s, e).replace(/\s+/g, ' ').trim()}${e < text.length ? '…' : ''}`);
}

/** Where a term occurs at a word start: the first such place, else the first substring. */
function termIndex(text: string, lower: string, term: string): number {
  const original = lower.length === text.length ? text : lower;
  for (let i = lower.indexOf(term); i >= 0; i = lower.indexOf(term, i + 1)) if (startsWord(original, i)) return i;
  return lower.indexOf(term);
}

/** The phrase in the text, whitespace-insensitive (the phrase is already collapsed). */
function phraseIndex(lower: string, phrase: string): number {
  const pattern = phrase.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+');
  return new RegExp(pattern).exec(lower)?.index ?? -1;
}

/** One hit's header line: what it is, where it is, and how to recall it whole. */
export function hitHeader(hit: RecallHit, rank: number): string {
  const d = hit.doc;
  const where = [d.messageId ? `message ${d.messageId}` : undefined, d.turn !== undefined ? `turn ${d.turn}` : undefined, d.hidden ? 'not in your context' : 'in your context']
    .filter(Boolean)
    .join(', ');
  if (d.kind === 'tool_result') {
    return `${rank}. tool result of ${d.tool ?? 'tool'}${d.args ? ` ${shorten(d.args, 100)}` : ''} — recall id ${JSON.stringify(d.callId)} (${where})`;
  }
  if (d.kind === 'summary') return `${rank}. ${d.hidden ? 'earlier ' : ''}compaction summary (${d.compactionId ?? ''}, ${d.hidden ? 'not in your context' : 'in your context'})`;
  return `${rank}. ${d.role ?? ''} message — recall id ${JSON.stringify(d.messageId)} (${where})`;
}

const shorten = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * The answer for the model, at most `maxChars` characters: a line saying what
 * was found, then each hit's header and snippets. Each hit gets an equal share
 * of what is left; a hit that does not fit at all is left out and counted.
 */
export function formatSearch(result: SearchResult, maxChars = RECALL_SEARCH_MAX_CHARS): string {
  if (result.terms.length === 0) return `Nothing to search for in ${JSON.stringify(result.query)}: give words or identifiers.`;
  if (result.hits.length === 0) {
    return `No passage of this session matches ${JSON.stringify(result.query)} (searched ${result.searched} passages: messages, tool results, summaries). Try other words or an identifier.`;
  }
  const head = `Recall search for ${JSON.stringify(shorten(result.query, 200))}: the best ${result.hits.length} of ${result.matched} matching passages. ` +
    `Get a whole tool result or message with ${RECALL_TOOL_NAME} {"id": "<recall id>"}.`;
  const blocks: string[] = [];
  let used = head.length;
  result.hits.forEach((hit, k) => {
    const share = Math.floor((maxChars - used) / (result.hits.length - k));
    const header = hitHeader(hit, k + 1);
    let block = header;
    for (const s of hit.snippets) {
      const line = `\n   ${s}`;
      if (block.length + line.length <= share) block += line;
      else {
        const room = share - block.length - 5;
        if (room > 40) block += `\n   ${s.slice(0, room - 1)}…`;
        break;
      }
    }
    if (block.length + 1 > share && header.length + 1 > share) return;
    blocks.push(block);
    used += block.length + 1;
  });
  const left = result.hits.length - blocks.length;
  const tail = left > 0 ? `\n(${left} more hit(s) left out to keep this answer short; ask with a smaller limit or a narrower query)` : '';
  return `${head}\n${blocks.join('\n')}${tail}`.slice(0, maxChars);
}
