/**
 * Where to split a session between the part that gets summarized (before the
 * index) and the recent tail kept verbatim (from the index on).
 *
 * Invariants of findSplitPoint(messages, …) = i:
 * - i === 0 (nothing to summarize) or i is a cut candidate: the start of a
 *   user turn (turns.ts: a user message that is not just tool results) or,
 *   with `roundCuts`, the start of a tool round (an assistant message after a
 *   tool result); i > 0.
 * - No tool call before i has its result at or after i.
 * - The tail [i, n) is never empty when messages is non-empty; with a single
 *   turn and no round cuts there is no cut, so i === 0.
 * - Turns mode (default): keepTailTurns turns stay in the tail (all of them,
 *   i === 0, when the session has no more); targetTailTokens can only shrink
 *   the tail, and at least one user turn stays even when the last turn alone
 *   exceeds it — unless `roundCuts`, which then shrinks it round by round
 *   (a single-request agent run is one giant turn).
 * - Fill mode (`fill: true`, needs targetTailTokens): the tail is the longest
 *   one that fits targetTailTokens, so it uses the room the summary does not
 *   need; a user-turn start is preferred when its tail is nearly as long
 *   (TURN_CUT_MIN_FILL_FRACTION). When nothing fits, the smallest tail.
 */
import { TURN_CUT_MIN_FILL_FRACTION } from './constants';
import { roundStarts, safeCuts, turnStarts, type TurnMessage } from './turns';

export interface SplitOptions {
  /** User turns kept verbatim (at least 1). In fill mode, ignored. */
  keepTailTurns: number;
  /** When the kept turns exceed this, keep fewer turns (down to 1, or to one round with `roundCuts`). */
  targetTailTokens?: number;
  /** Also cut between tool rounds inside a turn (never between a call and its result). */
  roundCuts?: boolean;
  /** Keep the longest tail that fits targetTailTokens instead of a number of turns. */
  fill?: boolean;
}

/** Indexes > 0 where a cut may happen at a user-turn start, ascending. */
export function splitCandidates(messages: readonly TurnMessage[]): number[] {
  const safe = safeCuts(messages);
  return turnStarts(messages).filter((i) => i > 0 && safe[i]);
}

/** Indexes > 0 where a cut may happen at a tool-round start (not a user-turn start), ascending. */
export function roundCandidates(messages: readonly TurnMessage[]): number[] {
  const safe = safeCuts(messages);
  return roundStarts(messages).filter((i) => i > 0 && safe[i]);
}

/** suffix[i] = tokens of messages[i..n). */
function suffixTokens(messages: readonly TurnMessage[]): number[] {
  const suffix: number[] = new Array<number>(messages.length + 1).fill(0);
  for (let i = messages.length - 1; i >= 0; i--) suffix[i] = (suffix[i + 1] ?? 0) + (messages[i]?.tokens ?? 0);
  return suffix;
}

export function findSplitPoint(messages: readonly TurnMessage[], options: SplitOptions): number {
  const turns = splitCandidates(messages);
  const suffix = suffixTokens(messages);
  const tail = (i: number) => suffix[i] ?? 0;
  const target = options.targetTailTokens;
  if (options.fill && target !== undefined) return fillSplit(messages, turns, tail, target, options.roundCuts === true);

  // 0 (keep everything) plus every valid cut; the k-th last entry keeps k turns.
  const candidates = [0, ...turns];
  const keep = Math.max(1, Math.floor(options.keepTailTurns));
  let pick = Math.max(0, candidates.length - keep);
  if (target !== undefined) {
    while (pick < candidates.length - 1 && tail(candidates[pick] ?? 0) > target) pick++;
  }
  const chosen = candidates[pick] ?? 0;
  if (!options.roundCuts || target === undefined || tail(chosen) <= target) return chosen;
  // The last kept turn alone is over the target: cut between its rounds.
  const inside = roundCandidates(messages).filter((i) => i > chosen);
  return inside.find((i) => tail(i) <= target) ?? inside[inside.length - 1] ?? chosen;
}

function fillSplit(messages: readonly TurnMessage[], turns: number[], tail: (i: number) => number, target: number, roundCuts: boolean): number {
  if (tail(0) <= target) return 0;
  const all = roundCuts ? [...new Set([...turns, ...roundCandidates(messages)])].sort((a, b) => a - b) : turns;
  if (all.length === 0) return 0;
  const best = all.find((i) => tail(i) <= target);
  if (best === undefined) return all[all.length - 1] ?? 0;
  // A user-turn boundary reads better (the request stays with its answers): take it when it keeps most of the room.
  const turn = turns.find((i) => i >= best && tail(i) >= tail(best) * TURN_CUT_MIN_FILL_FRACTION);
  return turn ?? best;
}
