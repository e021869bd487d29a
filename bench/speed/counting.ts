/**
 * Token counting throughput on the text of the real corpus, o200k_base for
 * everyone: the engine's counter (tiktoken's lite wasm + its content cache)
 * against raw tiktoken (the full build, same Rust core), gpt-tokenizer and
 * js-tiktoken (pure JS), all in this process, interleaved run by run.
 *
 * "Cold" means nothing was counted before in that counter: the engine gets a
 * fresh counter per run (its cache only helps on texts repeated within the
 * pass, as in a real session), gpt-tokenizer's merge cache is cleared. The
 * warm-cache figure (the same counter counting the same texts again, what
 * re-opening a view costs) is reported separately and never as throughput.
 */
import { countTokens as gptCount, clearMergeCache } from 'gpt-tokenizer/encoding/o200k_base';
import { Tiktoken as JsTiktoken } from 'js-tiktoken/lite';
import o200kRanks from 'js-tiktoken/ranks/o200k_base';
import { get_encoding } from 'tiktoken';
import { createTokenCounter } from '../../src/compaction/tokens/counter';
import { getTiktoken } from '../../src/compaction/tokens/tiktokenAssets';
import { totalChars } from './corpus';
import { interleave, median, pairedRatio, round, timeOnce, timePerCall } from './stats';

export interface CountingRow {
  name: string;
  note: string;
  medianMs: number;
  tokensPerSecond: number;
  /** Median over runs of (raw tiktoken ms / this ms): above 1 is faster than raw tiktoken. */
  speedVsTiktoken: number;
  tokens: number;
}

export interface CountingResult {
  texts: number;
  chars: number;
  tokens: number;
  uniqueTexts: number;
  runs: number;
  rows: CountingRow[];
  warmCache: { medianMs: number; speedVsColdEngine: number; note: string };
  /**
   * What the cache costs on first counts: the distinct texts only (no repeat
   * the cache could serve), a fresh engine counter against the bare lite
   * encoder and raw tiktoken, interleaved. Above 1 is faster than that baseline.
   */
  firstCounts: { texts: number; runs: number; speedVsBareEncoder: number; speedVsTiktoken: number; engineMs: number };
  /** Every tokenizer gave the same total. */
  countsAgree: boolean;
}

/** Every `stride`-th text so the sample is about `maxChars` long, spread over every file of the corpus. */
export function sampleTexts(texts: readonly string[], maxChars: number): string[] {
  const stride = Math.max(1, Math.ceil(totalChars(texts) / maxChars));
  return texts.filter((_, i) => i % stride === 0);
}

type Count = (text: string) => number;

function sum(texts: readonly string[], count: Count): number {
  let n = 0;
  for (const t of texts) n += count(t);
  return n;
}

export function benchCounting(texts: readonly string[], runs: number): CountingResult {
  const tiktokenFull = get_encoding('o200k_base');
  const liteEncoder = getTiktoken('o200k_base');
  const js = new JsTiktoken(o200kRanks);
  const noSpecial = new Set<string>();
  const totals = new Map<string, number>();
  const contenders: Array<{ name: string; note: string; prepare?: () => void; count: () => Count }> = [
    { name: 'engine counter (cold cache)', note: 'createTokenCounter(), fresh per run: lite wasm + content cache', count: () => { const c = createTokenCounter(); return (t) => c.countText(t); } },
    { name: 'engine tokenizer, no cache', note: "the engine's lite wasm encoder called directly (encode_ordinary)", count: () => (t) => liteEncoder.encode_ordinary(t).length },
    { name: 'tiktoken (raw, full build)', note: "get_encoding('o200k_base').encode_ordinary — the baseline", count: () => (t) => tiktokenFull.encode_ordinary(t).length },
    { name: 'gpt-tokenizer', note: 'countTokens, merge cache cleared per run', prepare: clearMergeCache, count: () => (t) => gptCount(t, { disallowedSpecial: noSpecial }) },
    { name: 'js-tiktoken', note: 'js-tiktoken/lite Tiktoken(o200k_base).encode', count: () => (t) => js.encode(t, [], []).length },
  ];
  const times = interleave(
    contenders.map((c) => ({
      name: c.name,
      measure: () => {
        c.prepare?.();
        const count = c.count();
        let n = 0;
        const ms = timeOnce(() => (n = sum(texts, count)));
        totals.set(c.name, n);
        return ms;
      },
    })),
    runs,
  );
  const baseline = times.get('tiktoken (raw, full build)')!;
  const tokens = totals.get('tiktoken (raw, full build)')!;
  const rows = contenders.map((c): CountingRow => {
    const ms = times.get(c.name)!;
    return {
      name: c.name,
      note: c.note,
      medianMs: round(median(ms)),
      tokensPerSecond: round((tokens / median(ms)) * 1000),
      speedVsTiktoken: round(pairedRatio(baseline, ms)),
      tokens: totals.get(c.name)!,
    };
  });

  // Warm cache: one counter, filled once, then the same texts again (lookups only).
  const warm = createTokenCounter();
  sum(texts, (t) => warm.countText(t));
  const warmMs: number[] = [];
  for (let r = 0; r < runs; r++) warmMs.push(timePerCall(() => sum(texts, (t) => warm.countText(t)), 20));
  const coldMs = median(times.get('engine counter (cold cache)')!);

  // First counts only: every text distinct, so the cache can only cost.
  const distinct = [...new Set(texts)];
  const first = interleave(
    [
      { name: 'engine', measure: () => { const c = createTokenCounter(); return timeOnce(() => sum(distinct, (t) => c.countText(t))); } },
      { name: 'bare', measure: () => timeOnce(() => sum(distinct, (t) => liteEncoder.encode_ordinary(t).length)) },
      { name: 'tiktoken', measure: () => timeOnce(() => sum(distinct, (t) => tiktokenFull.encode_ordinary(t).length)) },
    ],
    runs,
  );
  return {
    texts: texts.length,
    chars: totalChars(texts),
    tokens,
    uniqueTexts: new Set(texts).size,
    runs,
    rows,
    warmCache: {
      medianMs: round(median(warmMs)),
      speedVsColdEngine: round(coldMs / median(warmMs)),
      note: 'same counter, same texts again: cache lookups (each text is its own Map key: V8 hashes a string once), no tokenizing',
    },
    firstCounts: {
      texts: distinct.length,
      runs,
      speedVsBareEncoder: round(pairedRatio(first.get('bare')!, first.get('engine')!)),
      speedVsTiktoken: round(pairedRatio(first.get('tiktoken')!, first.get('engine')!)),
      engineMs: round(median(first.get('engine')!)),
    },
    countsAgree: new Set(totals.values()).size === 1,
  };
}
