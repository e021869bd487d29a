/**
 * Tier 2 without a model: a deterministic, structured summary with the
 * sections of DESIGN.md (Compaction), built from the log and fitted to a token
 * budget by filling sections in priority order.
 *
 * A previous summary (from the compaction being superseded) is merged, not
 * nested: its `## Section` bullets are parsed and put first in the matching
 * sections, so a summary of a summary stays one summary.
 */
import { SUMMARY_USER_REQUEST_MAX_TOKENS } from '../constants';
import type { TokenCounter } from '../types';
import { extractFacts, type FactMessage, type Facts } from './extractFacts';

export const SUMMARY_TITLE = '# Summary of the earlier conversation';

/** Sections in the order they are rendered; `priority` (lower first) decides what fits. */
const SECTIONS: ReadonlyArray<{ key: keyof Facts; title: string; priority: number; share: number }> = [
  { key: 'userRequests', title: 'User requests', priority: 0, share: 0.35 },
  { key: 'task', title: 'Task and intent', priority: 3, share: 0.08 },
  { key: 'identifiers', title: 'Key concepts and identifiers', priority: 9, share: 0.04 },
  { key: 'files', title: 'Files and code touched', priority: 1, share: 0.12 },
  { key: 'errors', title: 'Errors and fixes', priority: 2, share: 0.12 },
  { key: 'commands', title: 'Commands run', priority: 5, share: 0.07 },
  { key: 'decisions', title: 'Decisions', priority: 7, share: 0.06 },
  { key: 'pending', title: 'Pending tasks', priority: 6, share: 0.05 },
  { key: 'currentWork', title: 'Current work', priority: 4, share: 0.07 },
  { key: 'nextStep', title: 'Next step', priority: 4, share: 0.04 },
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
  for (const line of text.split('\n')) {
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading) {
      flush();
      key = SECTIONS.find((s) => s.title.toLowerCase() === heading[1]?.toLowerCase())?.key ?? 'task';
      continue;
    }
    if (line.startsWith('# ') || /^\(\d+ more omitted/.test(line.trim()) || line.startsWith('This summary replaces')) continue;
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

/** Builds the summary text. Empty string when there is nothing to summarize. */
export function extractiveSummary(input: ExtractiveInput, options: ExtractiveOptions): string {
  const { counter } = options;
  const facts = extractFacts(input.messages, input.instructions);
  const previous = input.previousSummary ? parseSummary(input.previousSummary) : {};
  const items = new Map<keyof Facts, string[]>();
  for (const s of SECTIONS) {
    const merged: string[] = [];
    for (const x of [...(previous[s.key] ?? []), ...facts[s.key]]) if (!merged.includes(x)) merged.push(x);
    items.set(s.key, s.key === 'userRequests' ? merged.map((r) => truncateMiddle(r, SUMMARY_USER_REQUEST_MAX_TOKENS, counter)) : merged);
  }
  if ([...items.values()].every((l) => l.length === 0)) return '';

  const header = `${SUMMARY_TITLE}\nThis summary replaces ${input.messages.length} earlier messages; the conversation continues after it. Facts below are extracted verbatim from the log.`;
  // Reserve room for section headings and "omitted" notes (about 8 tokens each).
  let used = counter.countText(header) + SECTIONS.length * 8;
  const budget = Math.max(0, options.budgetTokens);
  const chosen = new Map<keyof Facts, Set<number>>(SECTIONS.map((s) => [s.key, new Set<number>()]));
  const cost = (s: string) => counter.countText(bullet(s)) + 1;
  const byPriority = [...SECTIONS].sort((a, b) => a.priority - b.priority);
  // Newest items matter most except for requests (all, oldest first) and files.
  const walk = (key: keyof Facts, list: string[]) =>
    key === 'userRequests' || key === 'files' ? list.map((_, i) => i) : list.map((_, i) => list.length - 1 - i);
  const take = (capFor: (s: (typeof SECTIONS)[number]) => number) => {
    for (const s of byPriority) {
      const list = items.get(s.key) ?? [];
      let sectionUsed = [...(chosen.get(s.key) ?? [])].reduce((a, i) => a + cost(list[i] ?? ''), 0);
      for (const i of walk(s.key, list)) {
        if (chosen.get(s.key)?.has(i)) continue;
        const c = cost(list[i] ?? '');
        if (used + c > budget || sectionUsed + c > capFor(s)) continue;
        chosen.get(s.key)?.add(i);
        used += c;
        sectionUsed += c;
      }
    }
  };
  take((s) => Math.floor(budget * s.share)); // 1st pass: each section its share
  take(() => budget); // 2nd pass: leftovers, by priority

  const out: string[] = [header];
  for (const s of SECTIONS) {
    const list = items.get(s.key) ?? [];
    if (list.length === 0) continue;
    const picked = [...(chosen.get(s.key) ?? [])].sort((a, b) => a - b);
    out.push('', `## ${s.title}`);
    for (const i of picked) out.push(bullet(list[i] ?? ''));
    const omitted = list.length - picked.length;
    if (omitted > 0) out.push(`(${omitted} more omitted to fit the budget)`);
  }
  return out.join('\n');
}
