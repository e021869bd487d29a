/**
 * Token counters: a real one backed by tiktoken and an estimate (chars / 4)
 * for when the tokenizer cannot load. Both count message parts the same way
 * (partCost below), so their numbers are comparable.
 *
 * How parts count (plus MESSAGE_OVERHEAD_TOKENS per message):
 * - text, thinking: their text.
 * - tool_call: name + JSON arguments + TOOL_CALL_OVERHEAD_TOKENS.
 * - tool_result: text (+ tool name when present) + TOOL_RESULT_OVERHEAD_TOKENS.
 * - image: IMAGE_TOKENS (size unknown: a 1024×1024 image at high detail).
 * - document: DOCUMENT_TOKENS + its name (content is not stored).
 */
import { stringifySafe } from '../safeJson';
import {
  DOCUMENT_TOKENS,
  ESTIMATE_CHARS_PER_TOKEN,
  IMAGE_TOKENS,
  MESSAGE_OVERHEAD_TOKENS,
  TOKEN_CACHE_MAX_ENTRIES,
  TOOL_CALL_OVERHEAD_TOKENS,
  TOOL_RESULT_OVERHEAD_TOKENS,
} from '../constants';
import type { Part } from '../records';
import type { TokenCounter } from '../types';
import { DEFAULT_ENCODING, encodingForModel, type TiktokenEncoding } from './modelFamilies';
import { getTiktoken, type AssetLocation } from './tiktokenAssets';

/**
 * The JSON of each arguments object, computed once: usage, masking and the
 * LLM transcript all ask for it, and a log's records are never changed in
 * place (append-only), so an object's JSON stays valid. Weak: it lives as long
 * as the record.
 */
const argsJson = new WeakMap<object, string>();

/** Tool-call arguments as the model sees them. */
export function argsText(args: Record<string, unknown> | string): string {
  if (typeof args === 'string') return args;
  let json = argsJson.get(args);
  if (json === undefined) argsJson.set(args, (json = stringifySafe(args)));
  return json;
}

/** Tokens of one part, given a text counter. */
export function partCost(part: Part, countText: (text: string) => number): number {
  switch (part.type) {
    case 'text':
    case 'thinking':
      return countText(part.text);
    case 'tool_call':
      return countText(part.name) + countText(argsText(part.args)) + TOOL_CALL_OVERHEAD_TOKENS;
    case 'tool_result':
      return countText(part.text) + (part.name ? countText(part.name) : 0) + TOOL_RESULT_OVERHEAD_TOKENS;
    case 'image':
      return IMAGE_TOKENS;
    case 'document':
      return DOCUMENT_TOKENS + (part.name ? countText(part.name) : 0);
  }
}

function countPartsWith(parts: readonly Part[], countText: (text: string) => number): number {
  let sum = MESSAGE_OVERHEAD_TOKENS;
  for (const p of parts) sum += partCost(p, countText);
  return sum;
}

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

/** A counter that remembers what it counted. */
export interface CachingTokenCounter extends TokenCounter {
  readonly stats: Readonly<CacheStats>;
}

/**
 * Characters of cached texts a counter keeps (LRU beyond it). The keys are the
 * texts themselves, usually the very strings the session log holds, so the
 * bound matters only for texts nothing else references; 8M chars is about two
 * 1M-token sessions' worth of parts.
 */
export const TOKEN_CACHE_MAX_CHARS = 8_000_000;

/**
 * A least-recently-used map from text to its count. The text is its own key:
 * V8 hashes a string once and stores the hash in the string, so a first count
 * costs a hash of the text (far cheaper than tokenizing it) and a repeat costs
 * a lookup. Bounded by entries and by total characters.
 */
function createCountCache(count: (text: string) => number, maxEntries: number, maxChars: number) {
  const map = new Map<string, number>();
  const stats: CacheStats = { hits: 0, misses: 0, size: 0 };
  let chars = 0;
  function countCached(text: string): number {
    if (text.length === 0) return 0;
    const hit = map.get(text);
    if (hit !== undefined) {
      stats.hits++;
      // Move to the newest end (Map iterates in insertion order).
      map.delete(text);
      map.set(text, hit);
      return hit;
    }
    stats.misses++;
    const n = count(text);
    if (text.length > maxChars) return n;
    map.set(text, n);
    chars += text.length;
    while (map.size > maxEntries || chars > maxChars) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
      chars -= oldest.length;
    }
    stats.size = map.size;
    return n;
  }
  return { countCached, stats };
}

export interface TokenCounterOptions {
  encoding?: TiktokenEncoding;
  cacheMaxEntries?: number;
  /** Total characters of cached texts (default TOKEN_CACHE_MAX_CHARS). */
  cacheMaxChars?: number;
  assets?: AssetLocation;
}

/** A tiktoken counter. The tokenizer loads on the first count, once per process. */
export function createTokenCounter(options: TokenCounterOptions = {}): CachingTokenCounter {
  const encoding = options.encoding ?? DEFAULT_ENCODING;
  let encoder: ReturnType<typeof getTiktoken> | undefined;
  const count = (text: string) => (encoder ??= getTiktoken(encoding, options.assets)).encode_ordinary(text).length;
  const { countCached, stats } = createCountCache(
    count,
    options.cacheMaxEntries ?? TOKEN_CACHE_MAX_ENTRIES,
    options.cacheMaxChars ?? TOKEN_CACHE_MAX_CHARS,
  );
  return {
    encoding,
    estimated: false,
    stats,
    countText: countCached,
    countParts: (parts) => countPartsWith(parts, countCached),
  };
}

/** chars / ESTIMATE_CHARS_PER_TOKEN, rounded up. No tokenizer, no cache needed. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / ESTIMATE_CHARS_PER_TOKEN);
}

export function createEstimateCounter(): TokenCounter {
  return {
    encoding: 'estimate',
    estimated: true,
    countText: estimateTokens,
    countParts: (parts) => countPartsWith(parts, estimateTokens),
  };
}

/** The counter for a model: its tiktoken encoding, or the estimate when the tokenizer cannot load. */
export function counterForModel(
  model: string | { id: string; family?: string },
  options: Omit<TokenCounterOptions, 'encoding'> & { onFallback?: (error: unknown) => void } = {},
): TokenCounter {
  const counter = createTokenCounter({ ...options, encoding: encodingForModel(model) });
  try {
    counter.countText('probe');
    return counter;
  } catch (err) {
    options.onFallback?.(err);
    return createEstimateCounter();
  }
}
