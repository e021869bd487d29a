/**
 * The extractive summary's format: its title, its sections (in the order they
 * are rendered, with the priority and share that decide what fits), how an
 * item and a user request are written, and the parser that reads a summary
 * back (extractive.ts merges a previous summary instead of nesting it).
 */
import type { TokenCounter } from '../types';
import type { Facts } from './extractFacts';

export const SUMMARY_TITLE = '# Summary of the earlier conversation';

/** Sections in the order they are rendered; `priority` (lower first) decides what fits, `share` splits the facts' budget (requests are fitted first). */
export const SECTIONS: ReadonlyArray<{ key: keyof Facts; title: string; priority: number; share: number }> = [
  { key: 'userRequests', title: 'User requests', priority: 0, share: 0 },
  { key: 'task', title: 'Task and intent', priority: 3, share: 0.05 },
  { key: 'identifiers', title: 'Key concepts and identifiers', priority: 8, share: 0.24 },
  { key: 'files', title: 'Files and code touched', priority: 1, share: 0.22 },
  { key: 'errors', title: 'Errors and fixes', priority: 2, share: 0.14 },
  { key: 'commands', title: 'Commands run', priority: 5, share: 0.14 },
  { key: 'decisions', title: 'Decisions', priority: 7, share: 0.04 },
  { key: 'pending', title: 'Pending tasks', priority: 6, share: 0.02 },
  { key: 'currentWork', title: 'Current work', priority: 4, share: 0.09 },
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
