/**
 * The fidelity check: which of the facts the ledger tracks a summary kept.
 * Tracked: every request, the user's constraints, the files changed, the
 * errors not resolved, and the outcomes of the last commands. A fact is kept
 * when the summary names it (a file by its path or base name) or holds most
 * of its distinctive words. The facts a summary lost are added back in a
 * short section (`repairSummary`); fidelity = kept ÷ tracked, before the
 * repair. Pure and deterministic, so it can score a model's summary and the
 * extractive one alike.
 */
import { commandEntry, errorEntry, fileEntry, type Ledger } from './ledger';
import { quoteRequest, truncateMiddle } from './tiers/summaryFormat';
import type { TokenCounter } from './types';

export type TrackedKind = 'request' | 'constraint' | 'file' | 'error' | 'command';

export interface TrackedFact {
  kind: TrackedKind;
  /** How the fact is written when it is added back. */
  entry: string;
  /** Found in a summary by any of these (exact, case-sensitive) or, when empty, by `words`. */
  names: string[];
  /** Distinctive words (≥ 4 letters, lower case); kept when WORDS_KEPT_FRACTION of them occur. */
  words: string[];
}

export interface FidelityResult {
  /** kept ÷ tracked, before the repair; 1 when nothing is tracked. */
  fidelity: number;
  tracked: number;
  lost: TrackedFact[];
}

/** A request or constraint is kept when this share of its distinctive words is in the summary. */
const WORDS_KEPT_FRACTION = 0.6;
/** Words of a fact looked at (a long request is judged by its first ones). */
const WORDS_MAX = 40;
/** The last commands whose outcomes are tracked. */
const LAST_COMMANDS = 3;
/** A request added back longer than this is cut in the middle (it is quoted whole in the log). */
const REPAIR_REQUEST_MAX_TOKENS = 400;
export const REPAIR_HEADING = '## Kept from the log (the summary above left these out)';

function wordsOf(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]{4,}/gu) ?? [])].slice(0, WORDS_MAX);
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** The facts the ledger tracks, in the order they would be added back. */
export function trackedFacts(ledger: Ledger): TrackedFact[] {
  const out: TrackedFact[] = [];
  for (const r of ledger.requests) out.push({ kind: 'request', entry: r, names: [], words: wordsOf(r) });
  for (const c of ledger.constraints) out.push({ kind: 'constraint', entry: `User constraint: ${c}`, names: [], words: wordsOf(c) });
  for (const f of ledger.files) {
    if (!f.actions.some((a) => a === 'created' || a === 'edited' || a === 'deleted')) continue;
    out.push({ kind: 'file', entry: fileEntry(f), names: [f.path, baseName(f.path)], words: [] });
  }
  for (const e of ledger.errors) if (!e.resolved) out.push({ kind: 'error', entry: errorEntry(e), names: [], words: wordsOf(e.message) });
  for (const c of ledger.commands.slice(-LAST_COMMANDS)) {
    const outcome = c.exitCode !== undefined ? `exit code ${c.exitCode}` : c.failed ? 'failed' : '';
    out.push({ kind: 'command', entry: commandEntry(c), names: [], words: wordsOf(`${c.command.replace(/ \[\+\d+ lines\]$/, '')} ${outcome}`) });
  }
  return out;
}

function keptIn(summary: string, summaryWords: Set<string>, f: TrackedFact): boolean {
  if (f.names.length > 0) return f.names.some((n) => n && summary.includes(n));
  if (f.words.length === 0) return true;
  return f.words.filter((w) => summaryWords.has(w)).length / f.words.length >= WORDS_KEPT_FRACTION;
}

/** Which tracked facts `summary` kept, and its fidelity. */
export function checkFidelity(summary: string, ledger: Ledger): FidelityResult {
  const facts = trackedFacts(ledger);
  if (facts.length === 0) return { fidelity: 1, tracked: 0, lost: [] };
  const words = new Set(summary.toLowerCase().match(/[\p{L}\p{N}_]{4,}/gu) ?? []);
  const lost = facts.filter((f) => !keptIn(summary, words, f));
  return { fidelity: (facts.length - lost.length) / facts.length, tracked: facts.length, lost };
}

const SECTION_OF: Record<TrackedKind, string> = {
  request: 'User requests (verbatim)',
  constraint: 'Constraints the user stated',
  file: 'Files changed',
  error: 'Errors not yet resolved',
  command: 'Last commands and their outcomes',
};

/** The summary with the lost facts added back in one short section (unchanged when none was lost). */
export function repairSummary(summary: string, lost: readonly TrackedFact[], counter: TokenCounter): string {
  if (lost.length === 0) return summary;
  const lines: string[] = ['', REPAIR_HEADING];
  for (const kind of Object.keys(SECTION_OF) as TrackedKind[]) {
    const facts = lost.filter((f) => f.kind === kind);
    if (facts.length === 0) continue;
    lines.push(`${SECTION_OF[kind]}:`);
    for (const f of facts) lines.push(kind === 'request' ? quoteRequest(truncateMiddle(f.entry, REPAIR_REQUEST_MAX_TOKENS, counter)) : `- ${f.entry}`);
  }
  return `${summary.trimEnd()}\n${lines.join('\n')}`;
}

/** Fidelity as stored: two decimals (a share of a few dozen facts says no more). */
export function roundFidelity(f: number): number {
  return Math.round(Math.max(0, Math.min(1, f)) * 100) / 100;
}
