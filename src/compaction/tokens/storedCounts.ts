/**
 * A counter that answers from the session log's stored counts before it
 * tokenizes: a message whose only part is a text, a thinking block or a tool
 * result stored its tokens at append time (docs/architecture.md: counted once), so that
 * part's text costs `tokens − overheads` (partCost in counter.ts) and needs no
 * tokenizer. Only counts stored by the same encoding are used, so the answer
 * is exactly what the tokenizer would give. The tiers use it so a compaction
 * after a server restart (a fresh counter) does not re-tokenize the session.
 */
import { MESSAGE_OVERHEAD_TOKENS, TOOL_RESULT_OVERHEAD_TOKENS } from '../constants';
import type { Part } from '../records';
import type { TokenCounter } from '../types';

/** A message as the tiers see it; only those carrying `tokens` and `encoding` (log records) help. */
export interface CountedMessage {
  parts: readonly Part[];
  tokens?: number;
  encoding?: string;
}

/** The stored count of a text that is a whole message part of `messages`, or undefined (nothing is tokenized but tool names). */
export function storedCountOf(counter: TokenCounter, messages: readonly CountedMessage[]): (text: string) => number | undefined {
  let known: Map<string, number> | undefined;
  const build = (): Map<string, number> => {
    const map = new Map<string, number>();
    for (const m of messages) {
      if (m.parts.length !== 1 || m.tokens === undefined || m.encoding !== counter.encoding) continue;
      const p = m.parts[0]!;
      let n: number;
      if (p.type === 'text' || p.type === 'thinking') n = m.tokens - MESSAGE_OVERHEAD_TOKENS;
      else if (p.type === 'tool_result') n = m.tokens - MESSAGE_OVERHEAD_TOKENS - TOOL_RESULT_OVERHEAD_TOKENS - (p.name ? counter.countText(p.name) : 0);
      else continue;
      if (n >= 0 && p.text.length > 0) map.set(p.text, n);
    }
    return map;
  };
  return (text) => (known ??= build()).get(text);
}

export function withStoredCounts(counter: TokenCounter, messages: readonly CountedMessage[]): TokenCounter {
  const stored = storedCountOf(counter, messages);
  return {
    encoding: counter.encoding,
    estimated: counter.estimated,
    countText: (text) => stored(text) ?? counter.countText(text),
    // Whole messages are counted by the inner counter (its own cache); texts go through the stored counts.
    countParts: (parts) => counter.countParts(parts),
  };
}
