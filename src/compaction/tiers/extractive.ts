/**
 * Tier 2 without a model: a deterministic, structured summary with the
 * sections of DESIGN.md (Compaction), built from the log and fitted to a token
 * budget by filling sections in priority order.
 *
 * A previous summary (from the compaction being superseded) is merged, not
 * nested: its `## Section` bullets are parsed and put first in the matching
 * sections, so a summary of a summary stays one summary.
 *
 * User requests are quoted exactly: a one-line request as a bullet, a longer
 * one as a fenced block whose fence is longer than any backtick run inside,
 * so the text between the fences is the request byte for byte. The latest and
 * the first request are kept whole first (the latest may use the whole
 * budget; the first, when a later request exists, up to
 * SUMMARY_FIRST_REQUEST_MAX_FRACTION of it — always whole when short); the
 * others share at most SUMMARY_OTHER_REQUESTS_MAX_FRACTION of it, and only a
 * request that does not fit is cut in the middle (head and tail kept, the cut
 * marked).
 */
import {
  SUMMARY_FIRST_REQUEST_MAX_FRACTION, SUMMARY_FIRST_REQUEST_WHOLE_TOKENS, SUMMARY_OTHER_REQUESTS_MAX_FRACTION, SUMMARY_REQUEST_MIN_TOKENS, SUMMARY_USER_REQUEST_MAX_TOKENS,
} from '../constants';
import { withStoredCounts } from '../tokens/storedCounts';
import type { TokenCounter } from '../types';
import { extractFacts, type FactMessage, type Facts } from './extractFacts';

export const SUMMARY_TITLE = '# Summary of the earlier conversation';

/** Room for the closing line naming the sections left out entirely. */
const OMITTED_NOTE_RESERVE_TOKENS = 24;

/** Sections in the order they are rendered; `priority` (lower first) decides what fits, `share` splits the facts' budget (requests are fitted first). */
const SECTIONS: ReadonlyArray<{ key: keyof Facts; title: string; priority: number; share: number }> = [
  { key: 'userRequests', title: 'User requests', priority: 0, share: 0 },
  { key: 'task', title: 'Task and intent', priority: 3, share: 0.05 },
  { key: 'identifiers', title: 'Key concepts and identifiers', priority: 8, share: 0.14 },
  { key: 'files', title: 'Files and code touched', priority: 1, share: 0.2 },
  { key: 'errors', title: 'Errors and fixes', priority: 2, share: 0.16 },
  { key: 'commands', title: 'Commands run', priority: 5, share: 0.15 },
  { key: 'decisions', title: 'Decisions', priority: 7, share: 0.08 },
  { key: 'pending', title: 'Pending tasks', priority: 6, share: 0.04 },
  { key: 'currentWork', title: 'Current work', priority: 4, share: 0.08 },
  { key: 'nextStep', title: 'Next step', priority: 4, share: 0.03 },
];

export interface ExtractiveInput {
  messages: readonly FactMessage[];
  previousSummary?: string;
  instructions?: string;
}

export interface ExtractiveOptions {
  budgetTokens: number;
  counter: TokenCounter;
}

/** Parses our own summary format back into section bullets (unknown headings go to Task and intent). */
export function parseSummary(text: string): Partial<Record<keyof Facts, string[]>> {
  const out: Partial<Record<keyof Facts, string[]>> = {};
  let key: keyof Facts = 'task';
  let current: string | undefined;
  const flush = () => {
    if (current !== undefined && current.trim()) (out[key] ??= []).push(current.trim());
    current = undefined;
  };
  let fence: string | undefined;
  let block: string[] = [];
  for (const line of text.split('\n')) {
    if (fence !== undefined) {
      if (line === fence) {
        (out[key] ??= []).push(block.join('\n'));
        fence = undefined;
      } else block.push(line);
      continue;
    }
    if (/^`{3,}$/.test(line)) {
      flush();
      fence = line;
      block = [];
      continue;
    }
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading) {
      flush();
      key = SECTIONS.find((s) => s.title.toLowerCase() === heading[1]?.toLowerCase())?.key ?? 'task';
      continue;
    }
    if (line.startsWith('# ') || /^\((?:\d+ more omitted|Omitted to fit)/.test(line.trim()) || line.startsWith('This summary replaces')) continue;
    const bullet = /^[-*]\s+(.*)$/.exec(line);
    if (bullet) {
      flush();
      current = bullet[1] ?? '';
    } else if (line.trim()) {
      current = current === undefined ? line.trim() : `${current}\n${line.replace(/^ {2}/, '')}`;
    }
  }
  flush();
  return out;
}

/** Keeps the head and tail of a huge text (a pasted log), marking what was left out. */
export function truncateMiddle(text: string, maxTokens: number, counter: TokenCounter): string {
  const tokens = counter.countText(text);
  if (tokens <= maxTokens) return text;
  const keepChars = Math.max(20, Math.floor((text.length * maxTokens) / tokens / 2));
  const omitted = tokens - maxTokens;
  return `${text.slice(0, keepChars)}\n[… about ${omitted.toLocaleString('en-US')} tokens omitted …]\n${text.slice(-keepChars)}`;
}

function bullet(item: string): string {
  return `- ${item.replace(/\n/g, '\n  ')}`;
}

/** A request quoted exactly: one line as a bullet, more as a fenced block (fence longer than any backtick run inside). */
export function quoteRequest(text: string): string {
  if (!text.includes('\n') && text.trim() === text && !/^`{3,}$/.test(text)) return `- ${text}`;
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}\n${text}\n${fence}`;
}

/**
 * Fits the requests: the latest and the first whole when they fit in
 * `pinnedBudget`, then the others newest first within `othersBudget`, each cut
 * to at most SUMMARY_USER_REQUEST_MAX_TOKENS and to an equal share of what is
 * left. Returns the texts to quote by index (a missing index is left out).
 */
function fitRequests(requests: readonly string[], pinnedBudget: number, othersBudget: number, firstMaxTokens: number, counter: TokenCounter): Map<number, string> {
  const out = new Map<number, string>();
  const costs = new Map<string, number>();
  const cost = (t: string) => {
    let c = costs.get(t);
    if (c === undefined) costs.set(t, (c = counter.countText(quoteRequest(t)) + 1));
    return c;
  };
  let left = pinnedBudget;
  const put = (i: number, maxTokens: number) => {
    const text = requests[i] ?? '';
    let t = text;
    if (cost(t) > maxTokens) {
      if (maxTokens < SUMMARY_REQUEST_MIN_TOKENS) return;
      t = truncateMiddle(text, Math.max(SUMMARY_REQUEST_MIN_TOKENS, maxTokens - 16), counter);
    }
    if (cost(t) > left) return;
    out.set(i, t);
    left -= cost(t);
  };
  const last = requests.length - 1;
  if (last < 0) return out;
  put(last, left);
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

/** Tokens the latest request (whole) and the first (at most SUMMARY_USER_REQUEST_MAX_TOKENS) need; the planner sizes the summary with it. */
export function pinnedRequestTokens(input: ExtractiveInput, counter: TokenCounter): number {
  const requests = mergedRequests(input);
  const cost = (i: number) => counter.countText(quoteRequest(requests[i] ?? '')) + 1;
  const last = requests.length - 1;
  if (last < 0) return 0;
  return cost(last) + (last > 0 ? Math.min(SUMMARY_USER_REQUEST_MAX_TOKENS, cost(0)) : 0);
}

function mergedRequests(input: ExtractiveInput): string[] {
  const previous = input.previousSummary ? (parseSummary(input.previousSummary).userRequests ?? []) : [];
  const merged = [...previous];
  for (const r of extractFacts(input.messages, input.instructions).userRequests) merged.push(r);
  return merged;
}

/** Builds the summary text. Empty string when there is nothing to summarize. */
export function extractiveSummary(input: ExtractiveInput, options: ExtractiveOptions): string {
  // Request texts that are whole user messages are not tokenized again (their stored counts answer).
  const counter = withStoredCounts(options.counter, input.messages);
  const facts = extractFacts(input.messages, input.instructions);
  const previous = input.previousSummary ? parseSummary(input.previousSummary) : {};
  const items = new Map<keyof Facts, string[]>();
  for (const s of SECTIONS) {
    // Requests are never deduplicated: the same words asked twice are two requests.
    const merged: string[] = s.key === 'userRequests' ? [...(previous.userRequests ?? [])] : [];
    for (const x of s.key === 'userRequests' ? facts.userRequests : [...(previous[s.key] ?? []), ...facts[s.key]]) {
      if (s.key === 'userRequests' || !merged.includes(x)) merged.push(x);
    }
    items.set(s.key, merged);
  }
  if ([...items.values()].every((l) => l.length === 0)) return '';

  const header = `${SUMMARY_TITLE}\nThis summary replaces ${input.messages.length} earlier messages; the conversation continues after it. Facts below are extracted verbatim from the log; user requests are quoted exactly.`;
  const budget = Math.max(0, options.budgetTokens);
  const headingCost = (title: string) => counter.countText(`\n## ${title}`) + 1;
  // The header, the requests heading and the closing "omitted" note are paid up front; a facts heading when its first item is taken.
  let used = counter.countText(header) + headingCost('User requests') + OMITTED_NOTE_RESERVE_TOKENS;
  const requests = items.get('userRequests') ?? [];
  // The first and latest request may take all the room; the others their share.
  const firstMax = Math.min(SUMMARY_USER_REQUEST_MAX_TOKENS, Math.max(SUMMARY_FIRST_REQUEST_WHOLE_TOKENS, Math.floor(budget * SUMMARY_FIRST_REQUEST_MAX_FRACTION)));
  const fitted = fitRequests(requests, budget - used, Math.floor(budget * SUMMARY_OTHER_REQUESTS_MAX_FRACTION), firstMax, counter);
  for (const t of fitted.values()) used += counter.countText(quoteRequest(t)) + 1;
  const rest = Math.max(0, budget - used);

  const chosen = new Map<keyof Facts, Set<number>>(SECTIONS.map((s) => [s.key, new Set<number>()]));
  const cost = (s: string) => counter.countText(bullet(s)) + 1;
  const byPriority = [...SECTIONS].filter((s) => s.key !== 'userRequests').sort((a, b) => a.priority - b.priority);
  const shareSum = byPriority.reduce((a, s) => a + s.share, 0);
  // Newest items matter most (files are ordered by last use, so the same holds); identifiers are ranked already.
  const walk = (key: keyof Facts, list: string[]) => (key === 'identifiers' ? list.map((_, i) => i) : list.map((_, i) => list.length - 1 - i));
  const take = (capFor: (s: (typeof SECTIONS)[number]) => number) => {
    for (const s of byPriority) {
      const list = items.get(s.key) ?? [];
      const picked = chosen.get(s.key) ?? new Set<number>();
      let sectionUsed = [...picked].reduce((a, i) => a + cost(list[i] ?? ''), 0) + (picked.size > 0 ? headingCost(s.title) : 0);
      for (const i of walk(s.key, list)) {
        if (picked.has(i)) continue;
        const c = cost(list[i] ?? '') + (picked.size === 0 ? headingCost(s.title) : 0);
        if (used + c > budget || sectionUsed + c > capFor(s)) continue;
        picked.add(i);
        used += c;
        sectionUsed += c;
      }
    }
  };
  take((s) => Math.floor((rest * s.share) / shareSum)); // 1st pass: each section its share
  take(() => budget); // 2nd pass: leftovers, by priority

  const out: string[] = [header];
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
      if (omitted > 0) out.push(`(${omitted} more omitted to fit the budget)`);
      continue;
    }
    const picked = [...(chosen.get(s.key) ?? [])].sort((a, b) => a - b);
    const omitted = list.length - picked.length;
    if (picked.length === 0) continue;
    out.push('', `## ${s.title}`);
    for (const i of picked) out.push(bullet(list[i] ?? ''));
    if (omitted > 0) out.push(`(${omitted} more omitted to fit the budget)`);
  }
  const unshown = SECTIONS.filter((s) => s.key !== 'userRequests' && (items.get(s.key) ?? []).length > 0 && (chosen.get(s.key)?.size ?? 0) === 0);
  if (unshown.length > 0) out.push('', `(Omitted to fit the budget: ${unshown.map((s) => s.title.toLowerCase()).join(', ')})`);
  return out.join('\n');
}
