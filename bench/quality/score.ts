/**
 * Scores of one compacted context against its transcript:
 * - fits: tokens ≤ the target T;
 * - first / last request kept: the exact text of the first and last real user
 *   request (as the importer marked them) is a substring of the context;
 * - coverage: of the facts (facts.ts) that appear in the last 30 % of the
 *   transcript (by tokens) AND earlier, the share found verbatim in the context;
 * - ratio: tokens before / tokens after.
 */
import type { MessageRecord } from '../../src/compaction/records';
import type { ContextMessage } from '../../src/compaction/types';
import { factsOfParts, haystackOf, type FactKind } from './facts';
import { tokensOf } from './baselines';

/** The recent part of the transcript whose facts we ask to survive. */
export const RECENT_FRACTION = 0.3;

export interface Score {
  tokens: number;
  fits: boolean;
  firstRequestKept: boolean;
  lastRequestKept: boolean;
  /** Share of the tracked facts kept, 0..1 (1 when there are none). */
  coverage: number;
  coverageByKind: Partial<Record<FactKind, number>>;
  ratio: number;
}

export interface TrackedFacts {
  facts: Map<string, FactKind>;
}

/**
 * Facts seen in a message of the last RECENT_FRACTION of the transcript (by
 * cumulative tokens) and in a message before it. The system prompt is left out:
 * every method keeps it.
 */
export function trackedFacts(messages: readonly MessageRecord[]): Map<string, FactKind> {
  const total = messages.reduce((n, m) => n + m.tokens, 0);
  const recentFrom = total * (1 - RECENT_FRACTION);
  const early = new Map<string, FactKind>();
  const recent = new Map<string, FactKind>();
  let at = 0;
  for (const m of messages) {
    const into = at >= recentFrom ? recent : early;
    for (const [text, kind] of factsOfParts(m.parts)) into.set(text, kind);
    at += m.tokens;
  }
  return new Map([...recent].filter(([text]) => early.has(text)));
}

export function requestText(m: MessageRecord | undefined): string {
  if (!m) return '';
  return m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

export function scoreContext(
  context: readonly ContextMessage[],
  input: { beforeTokens: number; target: number; firstRequest: string; lastRequest: string; facts: Map<string, FactKind> },
): Score {
  const hay = haystackOf(context.flatMap((m) => m.parts));
  const tokens = tokensOf(context);
  const byKind: Partial<Record<FactKind, { kept: number; all: number }>> = {};
  let kept = 0;
  for (const [text, kind] of input.facts) {
    const k = (byKind[kind] ??= { kept: 0, all: 0 });
    k.all++;
    if (hay.includes(text)) {
      k.kept++;
      kept++;
    }
  }
  const coverageByKind = Object.fromEntries(Object.entries(byKind).map(([kind, k]) => [kind, k.kept / k.all]));
  return {
    tokens,
    fits: tokens <= input.target,
    firstRequestKept: input.firstRequest !== '' && hay.includes(input.firstRequest),
    lastRequestKept: input.lastRequest !== '' && hay.includes(input.lastRequest),
    coverage: input.facts.size > 0 ? kept / input.facts.size : 1,
    coverageByKind,
    ratio: tokens > 0 ? input.beforeTokens / tokens : Infinity,
  };
}
