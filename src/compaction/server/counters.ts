/**
 * One token counter per encoding for the life of the server process. tiktoken
 * loads lazily, on the first count that needs an encoding, and only here (the
 * extension host never loads it). When the tokenizer cannot load, the estimate
 * counter stands in, once reported; results then say `estimated: true`.
 */
import { createEstimateCounter, createTokenCounter } from '../tokens/counter';
import { encodingForModel, type TiktokenEncoding } from '../tokens/modelFamilies';
import type { TokenCounter } from '../types';

export interface CounterPool {
  /** The counter for an encoding (created and probed on first use). */
  forEncoding(encoding: TiktokenEncoding): TokenCounter;
  /** The counter for a model id (and family), via modelFamilies.ts. */
  forModel(model: { id?: string; family?: string } | undefined): TokenCounter;
}

export function createCounterPool(onFallback: (encoding: string, error: unknown) => void): CounterPool {
  const counters = new Map<TiktokenEncoding, TokenCounter>();
  const forEncoding = (encoding: TiktokenEncoding): TokenCounter => {
    const known = counters.get(encoding);
    if (known) return known;
    let counter: TokenCounter = createTokenCounter({ encoding });
    try {
      counter.countText('probe');
    } catch (err) {
      onFallback(encoding, err);
      counter = createEstimateCounter();
    }
    counters.set(encoding, counter);
    return counter;
  };
  return {
    forEncoding,
    forModel: (model) => forEncoding(encodingForModel({ id: model?.id ?? '', family: model?.family })),
  };
}
