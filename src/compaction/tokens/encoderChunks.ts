/**
 * Where to cut a long text before the encoder sees it, so that counting stays
 * linear in the text's length.
 *
 * Why: tiktoken splits a text into pieces with its pre-tokenizer regex, then
 * merges each piece's bytes pair by pair; the merge is quadratic in the piece's
 * length, and one piece can be as long as an unbroken run of letters,
 * punctuation or whitespace (a base64 blob without digits, `=====…`, a
 * minified line). A 200,000-character run took 23 s to count, and from about
 * 1M characters the wasm fails (`RuntimeError: unreachable`).
 *
 * How: the text is cut into chunks of at most CHUNK_MAX_CHARS, each counted on
 * its own, the counts added. Cuts go at **exact boundaries** — positions no
 * piece of the o200k_base or cl100k_base pre-tokenizer can span, and where
 * the pieces on either side come out the same with or without the rest of
 * the text — so on ordinary text the sum is exactly the count of the whole
 * (tested against the raw encoder on the corpus). The two patterns:
 *
 *   o200k_base  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *               | [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|…)?
 *               | \p{N}{1,3} | ?[^\s\p{L}\p{N}]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+
 *   cl100k_base (?i:'s|'t|'re|'ve|'m|'ll|'d) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,3}
 *               | ?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
 *
 * With L = letter, N = number, P = anything else that is not whitespace, a
 * mark or an apostrophe, SP = whitespace other than \r \n, NL = \r or \n, a
 * boundary between characters a|b is exact when:
 *   L|N  L|P  N|L  N|P  P|N     (no alternative holds both classes: a letter run
 *                                continues only with "'"; a prefix before letters
 *                                is never a number; numbers stand alone)
 *   L|SP N|SP P|SP              (whitespace joins only what follows it)
 *   L|NL N|NL                   (only punctuation takes trailing newlines)
 *   NL|anything but whitespace and "/"  (the prefix before letters excludes
 *                                \r \n; o200k_base's `[\r\n/]*` runs on into "/")
 *   N|N at 3, 6, 9… digits into a run of digits (\p{N}{1,3} groups from the run's start)
 *   " "|" " at 128, 256… spaces into a run of plain spaces, when 128 more
 *                                spaces follow (both encodings have a token of 128
 *                                spaces, and BPE takes a long run 128 at a time from
 *                                its start; tested, not derived from the pattern)
 * None of these leaves whitespace before the cut, except NL|x, where
 * `\s*[\r\n]+` comes before the only lookahead (`\s+(?!\S)`), so the end of a
 * chunk never changes how its last piece is matched.
 *
 * A stretch of more than RUN_MAX_CHARS characters without an exact boundary
 * (a pathological run) gets a **forced cut** every RUN_MAX_CHARS characters.
 * Only forced cuts change the count: by at most FORCED_CUT_MAX_ERROR_TOKENS
 * tokens each (test/unit/compaction/encoderChunks.test.ts checks it on runs of
 * one letter, random letters, punctuation, tabs, Cyrillic and CJK, and that the
 * whole is within 0.5 %). Measured: 0 for one repeated letter, within 0.15 %
 * for random letters or punctuation, always an over-count of a few tenths of
 * a token per cut.
 */

/** Longest chunk handed to the encoder (about 4K tokens of prose; also the step at which a sliced count may yield). */
export const CHUNK_MAX_CHARS = 16_384;

/**
 * Longest stretch without an exact boundary counted in one piece. The merge
 * cost per character grows with the piece's length; at 256 a run of letters
 * costs per character about what prose does.
 */
export const RUN_MAX_CHARS = 256;

/** Upper bound of the error one forced cut may cause, in tokens (the test measures it on every kind of run). */
export const FORCED_CUT_MAX_ERROR_TOKENS = 2;

const L = 1;
const N = 2;
const P = 3;
const SP = 4;
const NL = 5;
/** Marks, apostrophes, surrogates: never next to a cut. */
const X = 6;
/** "/": punctuation, but o200k_base's `[\r\n/]*` carries a piece on through newlines into slashes. */
const S = 7;

/** Class of each UTF-16 code unit; 0 = not looked up yet (non-ASCII is classified on first sight). */
const classes = new Uint8Array(65_536);
const WHITESPACE = [9, 11, 12, 32, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000];
const LETTER = /\p{L}/u;
const NUMBER = /\p{N}/u;

for (let c = 0; c < 128; c++) {
  classes[c] = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? L : c >= 48 && c <= 57 ? N : P;
}
for (const c of WHITESPACE) classes[c] = SP;
for (let c = 0x2000; c <= 0x200a; c++) classes[c] = SP;
classes[10] = NL;
classes[13] = NL;
classes[39] = X; // ' starts a contraction that joins the letters before it
classes[47] = S;

function classify(code: number): number {
  if (code >= 0xd800 && code <= 0xdfff) return X;
  const ch = String.fromCharCode(code);
  if (LETTER.test(ch)) return L;
  if (NUMBER.test(ch)) return N;
  // Marks join letters in o200k_base; anything else left is punctuation-like (P).
  return /\p{M}/u.test(ch) ? X : P;
}

const classOf = (code: number): number => classes[code] || (classes[code] = classify(code));

/** Exact boundary between classes a|b (not N|N: that one depends on the run, see below). */
function exact(a: number, b: number): boolean {
  switch (a) {
    case L:
      return b === N || b === P || b === S || b === SP || b === NL;
    case N:
      return b === L || b === P || b === S || b === SP || b === NL;
    case P:
    case S:
      return b === N || b === SP;
    case NL:
      return b === L || b === N || b === P || b === X;
    default:
      return false;
  }
}

/** The longest token of spaces in both encodings: a run of spaces is tokenized 128 at a time from its start. */
const SPACE_TOKEN_CHARS = 128;

/** `count` plain spaces from `at` on. */
function spacesAhead(text: string, at: number, count: number): boolean {
  if (at + count > text.length) return false;
  for (let j = at; j < at + count; j++) if (text.charCodeAt(j) !== 32) return false;
  return true;
}

/**
 * The positions (ascending, between 1 and text.length − 1) at which to cut
 * `text` into chunks for the encoder; empty for a text that needs no cut.
 * `forced` (when given) receives how many cuts were forced.
 */
export function encoderCuts(text: string, maxChunk = CHUNK_MAX_CHARS, maxRun = RUN_MAX_CHARS, forced?: { count: number }): number[] {
  const n = text.length;
  if (n <= Math.min(maxRun, maxChunk)) return [];
  const cuts: number[] = [];
  let segmentStart = 0;
  let lastExact = 0;
  let digitsFrom = 0;
  let spacesFrom = -1;
  let prev = classOf(text.charCodeAt(0));
  if (text.charCodeAt(0) === 32) spacesFrom = 0;
  for (let i = 1; i < n; i++) {
    const code = text.charCodeAt(i);
    const c = classOf(code);
    if (c === N && prev !== N) digitsFrom = i;
    // A run of plain spaces, counted from where its whitespace starts (-1: not in one).
    if (code === 32) {
      if (prev !== SP) spacesFrom = i;
    } else if (c === SP || c === NL) spacesFrom = -1;
    if (c === N && prev === N) {
      if ((i - Math.max(digitsFrom, segmentStart)) % 3 === 0) lastExact = i;
    } else if (code === 32 && prev === SP && spacesFrom >= 0) {
      // Not a piece boundary (the run is one piece) but an exact cut: always cut, or the piece stays long.
      if ((i - Math.max(spacesFrom, segmentStart)) % SPACE_TOKEN_CHARS === 0 && spacesAhead(text, i, SPACE_TOKEN_CHARS)) {
        cuts.push(i);
        segmentStart = lastExact = i;
      }
    } else if (exact(prev, c)) lastExact = i;
    prev = c;
    if (i - lastExact >= maxRun) {
      cuts.push(i);
      if (forced) forced.count++;
      segmentStart = lastExact = i;
    } else if (i - segmentStart >= maxChunk && lastExact > segmentStart) {
      cuts.push(lastExact);
      segmentStart = lastExact;
    }
  }
  return cuts;
}

/** Consecutive characters of one kind (whitespace or not) that a piece of RUN_MAX_CHARS must contain. */
const LONG_RUN_CHARS = RUN_MAX_CHARS / 2;

/**
 * Whether `text` has LONG_RUN_CHARS consecutive characters that are all
 * whitespace or all not, counting \r \n and "/" as either (a punctuation
 * piece may carry on through them). Every piece of RUN_MAX_CHARS or more
 * has such a run: letter and punctuation pieces are non-whitespace after
 * their first character apart from trailing \r \n /, whitespace pieces are
 * whitespace. Without one, the encoder gets the text whole — no piece is
 * long — and that scan is a few ms per MB, several times cheaper than
 * encoderCuts.
 */
export function hasLongRun(text: string): boolean {
  let run = 0;
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || code === 13 || code === 47) {
      if (++run >= LONG_RUN_CHARS) return true;
      continue;
    }
    const c = classOf(code);
    const isSpace = c === SP || c === NL;
    if (isSpace === space) {
      if (++run >= LONG_RUN_CHARS) return true;
    } else {
      space = isSpace;
      run = 1;
    }
  }
  return false;
}

/** The chunks of `text` for the encoder (see encoderCuts); `[text]` when it needs no cut. */
export function encoderChunks(text: string): string[] {
  const cuts = encoderCuts(text);
  if (cuts.length === 0) return [text];
  const chunks: string[] = [];
  let from = 0;
  for (const to of cuts) {
    chunks.push(text.slice(from, to));
    from = to;
  }
  chunks.push(text.slice(from));
  return chunks;
}

/**
 * `text`'s count as the sum of `count` over its chunks (see encoderCuts).
 * A text without a long run goes whole: chunks would give the same sum.
 */
export function countInChunks(text: string, count: (chunk: string) => number): number {
  if (text.length <= LONG_RUN_CHARS || !hasLongRun(text)) return count(text);
  const cuts = encoderCuts(text);
  if (cuts.length === 0) return count(text);
  let total = 0;
  let from = 0;
  for (const to of cuts) {
    total += count(text.slice(from, to));
    from = to;
  }
  return total + count(text.slice(from));
}
