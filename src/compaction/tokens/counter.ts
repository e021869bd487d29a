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
import { createHash } from 'node:crypto';
import {
  DOCUMENT_TOKENS,
  ESTIMATE_CHARS_PER_TOKEN,
  IMAGE_TOKENS,
  MESSAGE_OVERHEAD_TOKENS,
  TOKEN_CACHE_INLINE_KEY_MAX_CHARS,
  TOKEN_CACHE_MAX_ENTRIES,
  TOOL_CALL_OVERHEAD_TOKENS,
  TOOL_RESULT_OVERHEAD_TOKENS,
} from '../constants';
import type { Part } from '../records';
import type { TokenCounter } from '../types';
import { DEFAULT_ENCODING, encodingForModel, type TiktokenEncoding } from './modelFamilies';
import { getTiktoken, type AssetLocation } from './tiktokenAssets';

/** Tool-call arguments as the model sees them. */
export function argsText(args: Record<string, unknown> | string): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
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

/** A least-recently-used map from text (or its hash) to its count. */
function createCountCache(count: (text: string) => number, maxEntries: number) {
  const map = new Map<string, number>();
  const stats: CacheStats = { hits: 0, misses: 0, size: 0 };
  function key(text: string): string {
    if (text.length <= TOKEN_CACHE_INLINE_KEY_MAX_CHARS) return `s:${text}`;
    return `h:${text.length}:${createHash('sha1').update(text).digest('base64')}`;
  }
  function countCached(text: string): number {
    if (text.length === 0) return 0;
    const k = key(text);
    const hit = map.get(k);
    if (hit !== undefined) {
      stats.hits++;
      map.delete(k);
      map.set(k, hit);
      return hit;
    }
    stats.misses++;
    const n = count(text);
    map.set(k, n);
    if (map.size > maxEntries) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    stats.size = map.size;
    return n;
  }
  return { countCached, stats };
}

export interface TokenCounterOptions {
  encoding?: TiktokenEncoding;
  cacheMaxEntries?: number;
  assets?: AssetLocation;
}

/** A tiktoken counter. The tokenizer loads on the first count, once per process. */
export function createTokenCounter(options: TokenCounterOptions = {}): CachingTokenCounter {
  const encoding = options.encoding ?? DEFAULT_ENCODING;
  const count = (text: string) => getTiktoken(encoding, options.assets).encode_ordinary(text).length;
  const { countCached, stats } = createCountCache(count, options.cacheMaxEntries ?? TOKEN_CACHE_MAX_ENTRIES);
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
