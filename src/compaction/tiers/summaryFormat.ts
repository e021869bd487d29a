/**
 * The extractive summary's format: its title, its sections (in the order they
 * are rendered, with the priority and share that decide what fits), how an
 * item and a user request are written, and the parser that reads a summary
 * back (extractive.ts merges a previous summary instead of nesting it).
 */
import type { TokenCounter } from '../types';
import type { Facts } from './extractFacts';
import { RankedQueue } from './rankedQueue';

export const SUMMARY_TITLE = '# Summary of the earlier conversation';

/** Sections in the order they are rendered; `priority` (lower first) decides what fits, `share` splits the facts' budget (requests are fitted first). */
export const SECTIONS: ReadonlyArray<{ key: keyof Facts; title: string; priority: number; share: number }> = [
  { key: 'userRequests', title: 'User requests', priority: 0, share: 0 },
  { key: 'task', title: 'Task and intent', priority: 3, share: 0.05 },
  { key: 'identifiers', title: 'Key concepts and identifiers', priority: 8, share: 0.32 },
  { key: 'files', title: 'Files and code touched', priority: 1, share: 0.22 },
  { key: 'code', title: 'Code written or read', priority: 9, share: 0 },
  { key: 'errors', title: 'Errors and fixes', priority: 2, share: 0.12 },
  { key: 'commands', title: 'Commands run', priority: 5, share: 0.08 },
  { key: 'decisions', title: 'Decisions', priority: 7, share: 0.04 },
  { key: 'pending', title: 'Pending tasks', priority: 6, share: 0.02 },
  { key: 'currentWork', title: 'Current work', priority: 0.5, share: 0.12 },
  { key: 'nextStep', title: 'Next step', priority: 4, share: 0.03 },
];

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

/** The order a section's items are taken in: newest first (files are ordered by last use, so the same holds); identifiers are ranked already. */
export function walk(key: keyof Facts, list: readonly string[]): number[] {
  return key === 'identifiers' ? list.map((_, i) => i) : list.map((_, i) => list.length - 1 - i);
}

export function bullet(item: string): string {
  return `- ${item.replace(/\n/g, '\n  ')}`;
}

/** A one-line request is quoted as a bullet; anything else as a fenced block. */
export function quotedAsBullet(text: string): boolean {
  return !text.includes('\n') && text.trim() === text && !/^`{3,}$/.test(text);
}

/** A request quoted exactly: one line as a bullet, more as a fenced block (fence longer than any backtick run inside). */
export function quoteRequest(text: string): string {
  if (quotedAsBullet(text)) return `- ${text}`;
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}\n${text}\n${fence}`;
}

/** Words that carry content (what a reader would search a request for): four letters or more, lower-cased. */
const CONTENT_WORD = /[\p{L}\p{N}_]{4,}/gu;
/** A line longer than this is split into its sentences before choosing. */
const CONDENSE_LINE_MAX_CHARS = 240;
/** The marker put where condensing left lines out. */
export const CONDENSE_GAP = '[…]';

function contentWords(text: string): string[] {
  return [...new Set(text.toLowerCase().match(CONTENT_WORD) ?? [])];
}

/**
 * A long request (an issue pasted into an instruction template, a pasted
 * document) cut to `maxTokens` by keeping the lines that say the most: lines
 * are taken greedily by the content words they add that no line taken so far
 * has, per token (a code listing or a repeated boilerplate line adds little),
 * and shown in their original order, a `[…]` line where lines were left out.
 * Every kept line is verbatim. Unlike a head-and-tail cut, the middle of a
 * request (the steps, its error message) can survive, and what is kept
 * covers as many of the request's distinct words as the room allows. Falls
 * back to truncateMiddle when no line fits.
 */
export function condenseRequest(text: string, maxTokens: number, counter: TokenCounter): string {
  const total = counter.countText(text);
  if (total <= maxTokens) return text;
  const perChar = total / Math.max(1, text.length);
  // Units: lines; a long line split into its sentences, a long sentence into chunks at spaces (`joins[i]`: what joined a
  // unit to the one before it in the text, restored when both are kept).
  const units: string[] = [];
  const joins: string[] = [];
  for (const line of text.split('\n')) {
    const parts = line.length <= CONDENSE_LINE_MAX_CHARS ? [line] : line.split(/(?<=[.!?;])\s+/).flatMap((s) => (s.length <= CONDENSE_LINE_MAX_CHARS ? [s] : (s.match(/\S[\s\S]{0,239}(?=\s|$)|\S+/g) ?? [s])));
    parts.forEach((u, k) => {
      units.push(u);
      joins.push(k === 0 ? '\n' : ' ');
    });
  }
  const words = units.map(contentWords);
  const cost = units.map((u) => Math.max(1, Math.ceil((u.length + 1) * perChar)));
  const gapCost = Math.ceil((CONDENSE_GAP.length + 1) * perChar) + 1;
  const taken = new Set<number>();
  const have = new Set<string>();
  const gainOf = (i: number) => words[i]!.reduce((a, w) => a + (have.has(w) ? 0 : 1), 0);
  // Lazy greedy: a unit's gain only shrinks as others are taken, so a stale score is an upper bound.
  const queue = new RankedQueue();
  units
    .map((_, i) => ({ i, score: gainOf(i) / (cost[i]! + gapCost) }))
    .filter((e) => e.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .forEach((e) => queue.push(e.i, e.score));
  let used = 0;
  const take = (i: number) => {
    taken.add(i);
    used += cost[i]! + gapCost;
    for (const w of words[i]!) have.add(w);
  };
  // The head (a title, what is asked: its first three lines, more within a tenth of the room, all within a fifth) and
  // the last line (often the actual ask) first.
  for (let i = 0, head = 0, lines = 0; i < units.length && head + cost[i]! <= maxTokens / 5 && (lines < 3 || head + cost[i]! <= maxTokens / 10); i++) {
    head += cost[i]!;
    if (units[i]!.trim() !== '') lines++;
    take(i);
  }
  const lastUnit = units.length - 1;
  if (!taken.has(lastUnit) && cost[lastUnit]! + gapCost <= maxTokens / 10) take(lastUnit);
  for (let top = queue.pop(); top; top = queue.pop()) {
    if (taken.has(top.i)) continue;
    const c = cost[top.i]! + gapCost;
    if (used + c > maxTokens) continue;
    const score = gainOf(top.i) / c;
    if (score <= 0) continue;
    const next = queue.peekScore();
    if (next !== undefined && score < next) {
      // Stale: put it back where its fresh score belongs (after the entries of the same score).
      queue.push(top.i, score);
      continue;
    }
    take(top.i);
  }
  if (taken.size === 0) return truncateMiddle(text, maxTokens, counter);
  let out = '';
  let gap = false;
  let previous = -2;
  units.forEach((u, i) => {
    if (taken.has(i)) {
      if (gap) out += `${out ? '\n' : ''}${CONDENSE_GAP}`;
      out += out ? (previous === i - 1 ? joins[i] : '\n') + u : u;
      previous = i;
      gap = false;
    } else if (u.trim() !== '') gap = true;
  });
  if (gap) out += `\n${CONDENSE_GAP}`;
  return out;
}
