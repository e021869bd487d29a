/**
 * Choosing what of an extractive summary's candidates fits a token budget,
 * without tokenizing every candidate (on a cold counter each would be a
 * tiktoken call): the title, headings, notes and short pinned requests are
 * counted, a request that is a whole message costs its stored count, and
 * every other candidate (the facts' bullets, a long request cut in the middle)
 * costs an estimate (tokens/approx.ts), scaled per section by counting a
 * sample of the candidates its share would buy. The finished text is counted
 * once with the real counter; when it is over the budget, or well under it
 * with candidates left out, the room the choice fills is moved by what the
 * count showed and the summary rebuilt (at most SUMMARY_FIT_MAX_ATTEMPTS
 * renders). The result never exceeds the budget by the real counter, unless
 * not even its skeleton (the title and the latest request, cut to fit) does.
 */
import {
  SUMMARY_FILL_SLACK_FRACTION, SUMMARY_FIRST_REQUEST_MAX_FRACTION, SUMMARY_FIRST_REQUEST_MAX_TOKENS, SUMMARY_LATEST_REQUEST_MAX_FRACTION, SUMMARY_FIRST_REQUEST_WHOLE_TOKENS, SUMMARY_FIT_MARGIN_FRACTION, SUMMARY_FIT_MAX_ATTEMPTS,
  SUMMARY_OTHER_REQUESTS_MAX_FRACTION, SUMMARY_REQUEST_COUNTED_MAX_CHARS, SUMMARY_REQUEST_MIN_TOKENS, SUMMARY_SCALE_SAMPLE_MAX_CHARS, SUMMARY_USER_REQUEST_MAX_TOKENS,
} from '../constants';
import { approxTokens } from '../tokens/approx';
import { storedCountOf } from '../tokens/storedCounts';
import type { TokenCounter } from '../types';
import { createFactsMemo, type FactMessage, type Facts, type FactsMemo } from './extractFacts';
import { bullet, condenseRequest, quotedAsBullet, quoteRequest, SECTIONS, walk } from './summaryFormat';

/** Shorter cuts tried for a request whose cut still costs more than its room. */
const REQUEST_CUT_ATTEMPTS = 4;
/** Room for the closing line naming the sections left out entirely. */
const OMITTED_NOTE_RESERVE_TOKENS = 24;

export interface FitOptions {
  budgetTokens: number;
  counter: TokenCounter;
  memo?: SummaryMemo;
  /** Only the natural size is wanted: stop at the first render that leaves something out, or is over. */
  complete?: boolean;
}

/** What the summaries of one compaction share (the planner sizes a summary, then writes it). */
export interface SummaryMemo {
  /** Each message is scanned once. */
  facts: FactsMemo;
  /** approxTokens by text (the candidates of the summaries are mostly the same). */
  approx: Map<string, number>;
  /** Stored counts of the log's texts, by the first summary's messages (a count stays valid for any range). */
  stored?: StoredCount;
  /** Real tokens per scaled estimate, from the last summary's real count (1 until one was counted). */
  tokensPerEstimate: number;
}

export function createSummaryMemo(): SummaryMemo {
  return { facts: createFactsMemo(), approx: new Map(), tokensPerEstimate: 1 };
}

/** Estimated tokens of a bullet line beyond its item's: the "- " marker and the line break (continuation lines' indents are within the item's estimate, nearly). */
export const BULLET_LINE_TOKENS = 2;
/** A render whose estimated part is smaller than this (mostly counted costs) says nothing about the estimate. */
const MIN_SCALE_TOKENS = 8;
/** Bounds of a real-to-estimated scale (an estimate off by more is not trusted to steer by). */
const SCALE_MIN_FACTOR = 0.25;
const SCALE_MAX_FACTOR = 4;

/** The summary's title line and candidate items by section (the previous summary's first), before any fitting. */
export interface Candidates {
  header: string;
  items: Map<keyof Facts, string[]>;
}

/** Tokens quoting adds to a request's own: the bullet marker, or two fence lines. */
function quoteOverhead(text: string): number {
  return quotedAsBullet(text) ? 1 : 4;
}

/**
 * What choosing costs, in tokens. `fixed` prices the title, the headings and
 * the notes (counted: a few short texts); `bullet` an item's line and
 * `request` a quoted request's, line break included. `exact(t)` says whether
 * `request(t)` is a count (or a stored one) rather than an estimate.
 */
export interface Costs {
  fixed(text: string): number;
  bullet(item: string, section: keyof Facts): number;
  /** `pinned`: the first or latest request, counted when short (whether it is quoted whole may hang on a token). */
  request(text: string, pinned?: boolean): number;
  exact(text: string, pinned?: boolean): boolean;
  /** condenseRequest by these costs (its most telling lines); the cut text is then priced by its request's own tokens per character. */
  cut(text: string, maxTokens: number): string;
  /** Told what the requests left for the facts, before they are chosen (an estimate calibrates on it). */
  factsRoom(tokens: number): void;
}

export type StoredCount = (text: string) => number | undefined;

/**
 * Costs for the renders of one summary. With `estimate`, bullets, requests cut
 * in the middle and long requests without a stored count are estimated;
 * without it (a counter that is itself an estimate, or the last resort)
 * everything is counted.
 */
export function costsFor(counter: TokenCounter, stored: StoredCount, estimate?: Estimate): Costs {
  const cuts = new Map<string, number>();
  const text = (t: string) => stored(t) ?? cuts.get(t) ?? (estimate ? estimate.text(t) : counter.countText(t));
  // Counted: every request for a counter that is an estimate; else a short one that is pinned or has no better price
  // (no stored count, not a cut of a request that has one).
  const counted = (t: string, pinned = false) =>
    counter.estimated || (t.length <= SUMMARY_REQUEST_COUNTED_MAX_CHARS && (pinned || (stored(t) === undefined && !cuts.has(t))));
  const byText: TokenCounter = { encoding: counter.encoding, estimated: true, countText: text, countParts: (parts) => counter.countParts(parts) };
  return {
    fixed: (t) => counter.countText(t),
    bullet: estimate ? (item, section) => estimate.bullet(item, section) : (item) => counter.countText(bullet(item)) + 1,
    request: (t, pinned) => (counted(t, pinned) ? counter.countText(quoteRequest(t)) : text(t) + quoteOverhead(t)) + 1,
    exact: (t, pinned) => !estimate || counted(t, pinned) || stored(t) !== undefined,
    cut: (t, maxTokens) => {
      const out = condenseRequest(t, maxTokens, byText);
      // Head and tail of a pasted log cost what the whole does per character (the estimate misjudges a log's kind of text).
      if (estimate && out !== t && !cuts.has(out)) cuts.set(out, (text(t) * out.length) / t.length);
      return out;
    },
    factsRoom: (tokens) => estimate?.factsRoom(tokens),
  };
}

/** Estimated tokens: of a text, of a section's bullet line; `factsRoom` as in Costs. */
export interface Estimate {
  text(text: string): number;
  bullet(item: string, section: keyof Facts): number;
  factsRoom(tokens: number): void;
}

/**
 * Fits the requests: the latest and the first whole when they fit in
 * `pinnedBudget`, then the others newest first within `othersBudget`, each cut
 * to at most SUMMARY_USER_REQUEST_MAX_TOKENS and to an equal share of what is
 * left. Returns the texts to quote by index (a missing index is left out).
 */
function fitRequests(requests: readonly string[], pinnedBudget: number, othersBudget: number, firstMaxTokens: number, latestMaxTokens: number, costs: Costs): Map<number, string> {
  const out = new Map<number, string>();
  const last = requests.length - 1;
  const memo = [new Map<string, number>(), new Map<string, number>()];
  const cost = (t: string, pinned = false) => {
    const known = memo[pinned ? 1 : 0]!;
    let c = known.get(t);
    if (c === undefined) known.set(t, (c = costs.request(t, pinned)));
    return c;
  };
  let left = pinnedBudget;
  const put = (i: number, maxTokens: number) => {
    const text = requests[i] ?? '';
    const pinned = i === 0 || i === last;
    const room = Math.min(maxTokens, left);
    if (cost(text, pinned) <= room) {
      out.set(i, text);
      left -= cost(text, pinned);
      return;
    }
    // Cut in the middle; a cut that still costs more than the room (the cut marker, a costlier head and tail) is cut
    // shorter, so a request is never dropped while a cut of SUMMARY_REQUEST_MIN_TOKENS fits.
    let aim = Math.max(SUMMARY_REQUEST_MIN_TOKENS, room - 16);
    for (let attempt = 0; attempt < REQUEST_CUT_ATTEMPTS && room >= SUMMARY_REQUEST_MIN_TOKENS; attempt++) {
      const t = costs.cut(text, aim);
      const c = cost(t, pinned);
      if (c <= room) {
        out.set(i, t);
        left -= c;
        return;
      }
      if (aim <= SUMMARY_REQUEST_MIN_TOKENS) return;
      aim = Math.max(SUMMARY_REQUEST_MIN_TOKENS, Math.floor((aim * room) / c) - 8);
    }
  };
  if (last < 0) return out;
  // The first request's room is set aside before the latest takes what it needs: a short command is never crowded
  // out by a long template or pasted document that came after it.
  const firstRoom = last > 0 ? Math.min(cost(requests[0] ?? '', true), firstMaxTokens, Math.floor(left / 2)) : 0;
  left -= firstRoom;
  put(last, Math.min(left, latestMaxTokens));
  left += firstRoom;
  if (last > 0) put(0, Math.min(left, firstMaxTokens));
  // The others: water-filling, so short requests stay whole and the long ones share the rest.
  const others = requests.map((_, i) => i).filter((i) => i > 0 && i < last);
  let pool = Math.min(left, othersBudget);
  const share = new Map<number, number>();
  [...others].sort((a, b) => cost(requests[a] ?? '') - cost(requests[b] ?? '')).forEach((i, k) => {
    const give = Math.min(cost(requests[i] ?? ''), SUMMARY_USER_REQUEST_MAX_TOKENS, Math.floor(pool / (others.length - k)));
    share.set(i, give);
    pool -= give;
  });
  left = Math.min(left, othersBudget);
  for (const i of others.reverse()) put(i, share.get(i) ?? 0);
  return out;
}

interface Rendered {
  text: string;
  /** What the choice used of the room (the notes' reserve included). */
  used: number;
  /** Selection cost of the text (the notes counted instead of their reserve), and the part of it that is counted. */
  cost: number;
  exactCost: number;
  /** Whether a candidate was left out or a request cut to fit. */
  shortened: boolean;
}

/**
 * Chooses what fits `budget` by `costs` and renders it. `skeleton`: only the
 * title and the first and latest requests (the last resort).
 */
function render(candidates: Candidates, budget: number, costs: Costs, skeleton: boolean): Rendered {
  const { header, items } = candidates;
  const headingCost = (title: string) => costs.fixed(`\n## ${title}`) + 1;
  // The header, the requests heading and the closing "omitted" note are paid up front; a facts heading when its first item is taken.
  let used = costs.fixed(header) + headingCost('User requests') + OMITTED_NOTE_RESERVE_TOKENS;
  // What of `used` is counted, not estimated (the title, headings, the reserve, requests counted or stored).
  let exactCost = used;
  const requests = items.get('userRequests') ?? [];
  // The first and latest request may take all the room; the others their share.
  const firstMax = Math.min(SUMMARY_FIRST_REQUEST_MAX_TOKENS, Math.max(SUMMARY_FIRST_REQUEST_WHOLE_TOKENS, Math.floor(budget * SUMMARY_FIRST_REQUEST_MAX_FRACTION)));
  // The latest request whole, unless it would leave the facts almost nothing (a pasted template or document): then condensed.
  const latestMax = skeleton ? budget : Math.max(SUMMARY_FIRST_REQUEST_WHOLE_TOKENS, Math.floor(budget * SUMMARY_LATEST_REQUEST_MAX_FRACTION));
  const fitted = fitRequests(requests, budget - used, skeleton ? 0 : Math.floor(budget * SUMMARY_OTHER_REQUESTS_MAX_FRACTION), firstMax, latestMax, costs);
  let shortened = fitted.size < requests.length;
  for (const [i, t] of fitted) {
    const pinned = i === 0 || i === requests.length - 1;
    const c = costs.request(t, pinned);
    used += c;
    if (costs.exact(t, pinned)) exactCost += c;
    if (t !== requests[i]) shortened = true;
  }
  const rest = Math.max(0, budget - used);
  if (!skeleton) costs.factsRoom(rest);

  const chosen = new Map<keyof Facts, Set<number>>(SECTIONS.map((s) => [s.key, new Set<number>()]));
  const byPriority = skeleton ? [] : [...SECTIONS].filter((s) => s.key !== 'userRequests').sort((a, b) => a.priority - b.priority);
  const shareSum = byPriority.reduce((a, s) => a + s.share, 0);
  const take = (capFor: (s: (typeof SECTIONS)[number]) => number) => {
    for (const s of byPriority) {
      const list = items.get(s.key) ?? [];
      const picked = chosen.get(s.key) ?? new Set<number>();
      const cost = (item: string) => costs.bullet(item, s.key);
      let sectionUsed = [...picked].reduce((a, i) => a + cost(list[i] ?? ''), 0) + (picked.size > 0 ? headingCost(s.title) : 0);
      for (const i of walk(s.key, list)) {
        if (picked.has(i)) continue;
        const heading = picked.size === 0 ? headingCost(s.title) : 0;
        const c = cost(list[i] ?? '') + heading;
        if (used + c > budget || sectionUsed + c > capFor(s)) continue;
        picked.add(i);
        used += c;
        exactCost += heading;
        sectionUsed += c;
      }
    }
  };
  take((s) => Math.floor((rest * s.share) / shareSum)); // 1st pass: each section its share
  take(() => budget); // 2nd pass: leftovers, by priority

  const out: string[] = [header];
  // The "omitted" notes replace their reserve in what the render is said to cost (counted: a few short lines).
  let notes = -OMITTED_NOTE_RESERVE_TOKENS;
  const note = (line: string) => {
    out.push(line);
    notes += costs.fixed(line) + 1;
  };
  for (const s of SECTIONS) {
    const list = items.get(s.key) ?? [];
    if (list.length === 0) continue;
    if (s.key === 'userRequests') {
      out.push('', `## ${s.title}`);
      for (let i = 0; i < list.length; i++) {
        const t = fitted.get(i);
        if (t !== undefined) out.push(quoteRequest(t));
      }
      const omitted = list.length - fitted.size;
      if (omitted > 0) note(`(${omitted} more omitted to fit the budget)`);
      continue;
    }
    const picked = [...(chosen.get(s.key) ?? [])].sort((a, b) => a - b);
    const omitted = list.length - picked.length;
    if (omitted > 0) shortened = true;
    if (picked.length === 0) continue;
    out.push('', `## ${s.title}`);
    for (const i of picked) out.push(bullet(list[i] ?? ''));
    if (omitted > 0) note(`(${omitted} more omitted to fit the budget)`);
  }
  const unshown = SECTIONS.filter((s) => s.key !== 'userRequests' && (items.get(s.key) ?? []).length > 0 && (chosen.get(s.key)?.size ?? 0) === 0);
  if (unshown.length > 0) {
    out.push('');
    note(`(Omitted to fit the budget: ${unshown.map((s) => s.title.toLowerCase()).join(', ')})`);
  }
  return { text: out.join('\n'), used, cost: used + notes, exactCost: exactCost + notes, shortened };
}

/** The stored counts of `messages`' texts, built once per memo. */
export function storedWith(memo: SummaryMemo | undefined, counter: TokenCounter, messages: readonly FactMessage[]): StoredCount {
  return memo ? (memo.stored ??= storedCountOf(counter, messages)) : storedCountOf(counter, messages);
}

/** approxTokens, remembered in the memo when there is one. */
export function approxWith(memo: SummaryMemo | undefined): (text: string) => number {
  const known = memo?.approx ?? new Map<string, number>();
  return (t) => {
    let n = known.get(t);
    if (n === undefined) known.set(t, (n = approxTokens(t)));
    return n;
  };
}

/**
 * Real tokens per estimated token of each section's bullet lines, from a
 * sample spread over the candidates its share of `factsRoom` would buy
 * (counted together, up to SUMMARY_SCALE_SAMPLE_MAX_CHARS per section): the
 * estimate's error differs by kind (paths, commands, identifiers), and a
 * section's share should buy what it would with counts.
 */
function sectionScales(candidates: Candidates, factsRoom: number, counter: TokenCounter, approx: (text: string) => number): Map<keyof Facts, number> {
  const out = new Map<keyof Facts, number>();
  const facts = SECTIONS.filter((s) => s.key !== 'userRequests');
  const shareSum = facts.reduce((a, s) => a + s.share, 0);
  for (const s of facts) {
    const list = candidates.items.get(s.key) ?? [];
    const order = walk(s.key, list);
    // The candidates the section's share buys, by estimate (at least one).
    const share = (factsRoom * s.share) / shareSum;
    let n = 0;
    let chars = 0;
    for (let tokens = 0; n < order.length && (n === 0 || tokens < share); n++) {
      const item = list[order[n]!] ?? '';
      tokens += approx(item) + BULLET_LINE_TOKENS;
      chars += item.length;
    }
    if (n === 0) continue;
    const size = Math.max(1, Math.min(n, Math.floor((SUMMARY_SCALE_SAMPLE_MAX_CHARS * n) / Math.max(1, chars))));
    const lines: string[] = [];
    let estimated = 0;
    for (let k = 0; k < size; k++) {
      const item = list[order[Math.floor((k * n) / size)]!] ?? '';
      lines.push(bullet(item));
      estimated += approx(item) + BULLET_LINE_TOKENS;
    }
    // Counted as rendered, one per line: a line break may merge with the line before it.
    const real = counter.countText(lines.join('\n')) + 1;
    out.set(s.key, Math.max(SCALE_MIN_FACTOR, Math.min(SCALE_MAX_FACTOR, real / estimated)));
  }
  return out;
}

/**
 * The fitting loop (see the file comment). Within one call the estimate's
 * ratio is fixed and only the room the choice fills moves, so each render
 * holds the previous one's items or a subset: predictable steps. `complete`:
 * stop at the first render that leaves something out (only the natural size
 * is wanted) or is over.
 */
export function fitSummary(
  candidates: Candidates,
  messages: readonly FactMessage[],
  options: FitOptions,
): { text: string; tokens: number; shortened: boolean } {
  const { counter, memo } = options;
  const budget = Math.max(0, options.budgetTokens);
  const stored = storedWith(memo, counter, messages);
  const approxOf = approxWith(memo);
  const ratio = memo?.tokensPerEstimate ?? 1;
  // Calibrated once, on the first render's room for the facts.
  let scales: Map<keyof Facts, number> | undefined;
  // A bullet's estimate includes its marker and line break, and its section's scale. Not rounded: a bullet of a
  // few tokens rounded up would be overestimated by a tenth.
  const estimate: Estimate = {
    text: (t) => approxOf(t) * ratio,
    bullet: (item, section) => (approxOf(item) + BULLET_LINE_TOKENS) * ratio * (scales?.get(section) ?? 1),
    factsRoom: (tokens) => void (scales ??= sectionScales(candidates, tokens, counter, approxOf)),
  };
  const costs = costsFor(counter, stored, counter.estimated ? undefined : estimate);
  // Estimates aim a little under the budget, so a small error still fits.
  const aim = counter.estimated ? budget : Math.floor(budget * (1 - SUMMARY_FIT_MARGIN_FRACTION));
  let room = aim;
  let fitted: { text: string; tokens: number; shortened: boolean } | undefined;
  for (let attempt = 0; attempt < SUMMARY_FIT_MAX_ATTEMPTS - 1; attempt++) {
    const r = render(candidates, room, costs, false);
    if (options.complete && r.shortened) return { text: r.text, tokens: budget, shortened: true };
    if (r.text === fitted?.text) break; // a larger room bought nothing more (the next candidates are big)
    const real = counter.countText(r.text);
    // Real tokens per estimated token in this render (the next summary of this compaction starts from it).
    const estimated = r.cost - r.exactCost;
    const scale = estimated >= MIN_SCALE_TOKENS ? Math.max(SCALE_MIN_FACTOR, Math.min(SCALE_MAX_FACTOR, (real - r.exactCost) / estimated)) : 1;
    if (memo && estimated >= MIN_SCALE_TOKENS) memo.tokensPerEstimate = ratio * scale;
    if (real <= budget) {
      const retry = fitted === undefined && r.shortened && real < budget * (1 - SUMMARY_FILL_SLACK_FRACTION);
      fitted = { text: r.text, tokens: real, shortened: r.shortened };
      if (!retry) break;
    } else if (fitted !== undefined) {
      break; // the retry to fill came out over: keep the one that fit
    } else if (options.complete) {
      return { text: r.text, tokens: budget, shortened: true };
    }
    // Move the room so the estimated part, at this render's scale, fills what the counted part leaves of the aim (well
    // under: a larger room; over: a smaller one, by up to the margin more, as the counted part moves with the room too).
    const over = Math.max(0, real - budget);
    const next = estimated >= MIN_SCALE_TOKENS ? r.used - estimated + Math.floor((aim - Math.min(over, budget - aim) - r.exactCost) / scale) : room - over;
    if (next === room) break;
    room = next;
  }
  if (fitted) return fitted;
  // Not even the corrected estimates fit: the title and the first and latest requests, counted.
  const last = render(candidates, budget, costsFor(counter, stored), true);
  return { text: last.text, tokens: counter.countText(last.text), shortened: true };
}
