/**
 * Counting in chunks (src/compaction/tokens/encoderChunks.ts): exact against
 * the raw tiktoken encoder (the full build, not the engine's wasm path) on
 * the corpus, the project's fixtures and whitespace / digit runs; within the
 * stated bound on pathological runs; no failure at any size.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { get_encoding, type Tiktoken } from 'tiktoken';
import { CHUNK_MAX_CHARS, encoderCuts, FORCED_CUT_MAX_ERROR_TOKENS, RUN_MAX_CHARS } from '../../../src/compaction/tokens/encoderChunks';
import { createTokenCounter } from '../../../src/compaction/tokens/counter';
import type { TiktokenEncoding } from '../../../src/compaction/tokens/modelFamilies';
import { CORPUS, corpusAbsentSkip, hasCorpusFile, readCorpus } from './corpusFiles';
import { codingSession } from './fixtures';

const ENCODINGS: TiktokenEncoding[] = ['o200k_base', 'cl100k_base'];
const raw = new Map<TiktokenEncoding, Tiktoken>(ENCODINGS.map((e) => [e, get_encoding(e)]));
const rawCount = (e: TiktokenEncoding, text: string) => raw.get(e)!.encode_ordinary(text).length;

/** The raw encoder's count of `text` cut at `cuts` (each chunk on its own). */
function chunkedRawCount(e: TiktokenEncoding, text: string, cuts: number[]): number {
  let from = 0;
  let sum = 0;
  for (const to of [...cuts, text.length]) {
    sum += rawCount(e, text.slice(from, to));
    from = to;
  }
  return sum;
}

/** Every string value in a JSON document or JSONL file, as the importers see texts. */
function stringsOf(content: string): string[] {
  const out: string[] = [];
  const collect = (json: string) => JSON.parse(json, (_k, v: unknown) => (typeof v === 'string' && out.push(v), v));
  try {
    collect(content);
  } catch {
    for (const line of content.split('\n')) {
      try {
        collect(line);
      } catch {
        // a torn line: its text is still counted as a whole below
      }
    }
  }
  out.push(content);
  return out;
}

let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

/**
 * Cut at (nearly) every exact boundary — chunks of at most 48 characters —
 * and never force a cut: the sum must be the raw encoder's count of the whole.
 */
function assertExactEverywhere(e: TiktokenEncoding, texts: readonly string[], where: string): number {
  let cuts = 0;
  for (const text of texts) {
    const at = encoderCuts(text, 48, Number.MAX_SAFE_INTEGER);
    cuts += at.length;
    const chunked = chunkedRawCount(e, text, at);
    const whole = rawCount(e, text);
    if (chunked !== whole) assert.fail(`${where} (${e}): ${chunked} in chunks ≠ ${whole} whole for ${JSON.stringify(text.slice(0, 120))}…`);
  }
  return cuts;
}

test('cutting at exact boundaries gives the raw encoder count on every text of the corpus (both encodings)', { skip: corpusAbsentSkip() }, () => {
  const files = CORPUS.filter((f) => hasCorpusFile(f.name));
  // Every text for o200k_base (the default); every other one for cl100k_base (same rules, half the time).
  for (const [e, stride] of [['o200k_base', 1], ['cl100k_base', 2]] as const) {
    let cuts = 0;
    for (const f of files) cuts += assertExactEverywhere(e, stringsOf(readCorpus(f.name)).filter((_, i) => i % stride === 0), f.name);
    assert.ok(cuts > 50_000, `the check cut often (${cuts} cuts)`);
  }
});

test('with the default sizes, no cut on the corpus is forced (ordinary text is counted exactly)', { skip: corpusAbsentSkip() }, () => {
  const files = CORPUS.filter((f) => hasCorpusFile(f.name));
  const forced = { count: 0 };
  let cuts = 0;
  for (const f of files) for (const text of stringsOf(readCorpus(f.name))) cuts += encoderCuts(text, undefined, undefined, forced).length;
  assert.ok(cuts > 100, `long corpus texts are cut (${cuts})`);
  assert.equal(forced.count, 0);
});

test("exact on the project's own fixtures: the demo session, the coding-session fixture, this repo's docs", () => {
  const root = join(__dirname, '..', '..', '..');
  const texts = [
    ...stringsOf(readFileSync(join(root, 'demo', 'session.json'), 'utf8')),
    ...codingSession(8, 5_000).records.flatMap((r) => (r.type === 'message' ? r.parts.map((p) => ('text' in p ? p.text : JSON.stringify(p))) : [])),
    ...readdirSync(root).filter((n) => n.endsWith('.md')).map((n) => readFileSync(join(root, n), 'utf8')),
    readFileSync(join(root, 'src', 'compaction', 'tokens', 'encoderChunks.ts'), 'utf8'),
  ];
  for (const e of ENCODINGS) assert.ok(assertExactEverywhere(e, texts, 'fixtures') > 1_000);
  // And the engine's counter (default chunks, its own wasm path) agrees with the raw encoder.
  for (const e of ENCODINGS) {
    const counter = createTokenCounter({ encoding: e });
    for (const text of texts) assert.equal(counter.countText(text), rawCount(e, text));
  }
});

test('runs of spaces are cut exactly every 128 spaces; runs of digits every 3 digits', () => {
  const texts: string[] = [];
  for (let i = 0; i < 120; i++) {
    const before = ['', 'x', 'foo:', '\n', '\t', 'a \n', '12', ' \n', '\r\n'][i % 9]!;
    const after = ['', 'x', '\n', '\n\n', ' \n', '\t', '/', '1', 'é', '\r\n'][Math.floor(random() * 10)]!;
    texts.push(before + ' '.repeat(129 + Math.floor(random() * 1_500)) + after + (random() < 0.5 ? ' '.repeat(Math.floor(random() * 300)) + 'end' : ''));
    texts.push(pick('x.', 3) + '1234567890'.repeat(20 + Math.floor(random() * 80)) + after);
  }
  for (const e of ENCODINGS) assert.ok(assertExactEverywhere(e, texts, 'runs') > 1_000);
});

test(`pathological runs: each forced cut changes the count by at most ${FORCED_CUT_MAX_ERROR_TOKENS} tokens, the whole by under 0.5 %`, () => {
  const kinds: Record<string, (n: number) => string> = {
    'one letter': (n) => 'x'.repeat(n),
    'two letters': (n) => 'xy'.repeat(n / 2),
    'random lowercase': (n) => pick('abcdefghijklmnopqrstuvwxyz', n),
    'random letters (base64 without digits, +, /)': (n) => pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', n),
    punctuation: (n) => pick('=-*#~.,;:!?()[]{}<>+&%$@^|', n),
    '=': (n) => '='.repeat(n),
    tabs: (n) => '\t'.repeat(n),
    cyrillic: (n) => pick('абвгдеёжзийклмнопрстуфхцчшщъыьэюя', n),
    cjk: (n) => pick('的一是不了人我在有他这中大来上个国和也子时道出会', n),
  };
  for (const e of ENCODINGS) {
    for (const [kind, make] of Object.entries(kinds)) {
      const text = make(kind === 'cjk' ? 3_000 : 8_000);
      const forced = { count: 0 };
      const cuts = encoderCuts(text, undefined, undefined, forced);
      assert.ok(forced.count >= Math.floor(text.length / RUN_MAX_CHARS) - 1, `${kind}: a run is cut every ${RUN_MAX_CHARS} characters`);
      const error = chunkedRawCount(e, text, cuts) - rawCount(e, text);
      const whole = rawCount(e, text);
      assert.ok(Math.abs(error) <= FORCED_CUT_MAX_ERROR_TOKENS * forced.count, `${e} ${kind}: error ${error} over ${forced.count} forced cuts`);
      assert.ok(Math.abs(error) / whole < 0.005, `${e} ${kind}: error ${error} of ${whole} tokens`);
    }
  }
});

test('a 1,000,000-character run counts without error (the raw encoder fails on it), in chunks no longer than the bound', () => {
  const counter = createTokenCounter();
  for (const text of ['x'.repeat(1_000_000), pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 1_000_000), ' '.repeat(1_000_000)]) {
    const cuts = encoderCuts(text);
    let from = 0;
    for (const to of [...cuts, text.length]) {
      assert.ok(to - from <= Math.min(RUN_MAX_CHARS, CHUNK_MAX_CHARS), `chunk ${from}–${to}`);
      from = to;
    }
    const n = counter.countText(text);
    assert.ok(n > 1_000_000 / 300 && n < 1_000_000, `${n} tokens`);
  }
  // Spaces are cut exactly: 128 spaces are one token.
  assert.equal(counter.countText(' '.repeat(1_000_000)), Math.ceil(1_000_000 / 128));
});

test('a text without a cut is one chunk; a long text with boundaries is cut only at them, chunks ≤ CHUNK_MAX_CHARS', () => {
  assert.deepEqual(encoderCuts('hello world'), []);
  const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(2_000);
  const cuts = encoderCuts(prose);
  assert.ok(cuts.length >= Math.floor(prose.length / CHUNK_MAX_CHARS));
  let from = 0;
  for (const to of [...cuts, prose.length]) {
    assert.ok(to - from <= CHUNK_MAX_CHARS);
    from = to;
  }
});
