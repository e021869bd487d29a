/**
 * Where to split a session between the part that gets summarized (before the
 * index) and the recent tail kept verbatim (from the index on).
 *
 * Invariants of findSplitPoint(messages, …) = i:
 * - i === 0 (nothing to summarize) or i is the start of a user turn
 *   (turns.ts: a user message that is not just tool results), i > 0.
 * - No tool call before i has its result at or after i.
 * - The tail [i, n) is never empty when messages is non-empty; with a single
 *   turn there is no cut, so i === 0.
 * - keepTailTurns turns stay in the tail (all of them, i === 0, when the
 *   session has no more); targetTailTokens can only shrink the tail, and at
 *   least one user turn stays even when the last turn alone exceeds it.
 */
import { safeCuts, turnStarts, type TurnMessage } from './turns';

export interface SplitOptions {
  /** User turns kept verbatim (at least 1). */
  keepTailTurns: number;
  /** When the kept turns exceed this, keep fewer turns (down to 1). */
  targetTailTokens?: number;
}

/** Indexes > 0 where a cut may happen, ascending. */
export function splitCandidates(messages: readonly TurnMessage[]): number[] {
  const safe = safeCuts(messages);
  return turnStarts(messages).filter((i) => i > 0 && safe[i]);
}

export function findSplitPoint(messages: readonly TurnMessage[], options: SplitOptions): number {
  // 0 (keep everything) plus every valid cut; the k-th last entry keeps k turns.
  const candidates = [0, ...splitCandidates(messages)];
  const keep = Math.max(1, Math.floor(options.keepTailTurns));
  let pick = Math.max(0, candidates.length - keep);
  if (options.targetTailTokens !== undefined) {
    const suffix: number[] = new Array<number>(messages.length + 1).fill(0);
    for (let i = messages.length - 1; i >= 0; i--) suffix[i] = (suffix[i + 1] ?? 0) + (messages[i]?.tokens ?? 0);
    while (pick < candidates.length - 1 && (suffix[candidates[pick] ?? 0] ?? 0) > options.targetTailTokens) pick++;
  }
  return candidates[pick] ?? 0;
}
