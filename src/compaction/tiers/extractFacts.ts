/**
 * The extractive summary's candidates by section, rendered from the artifact
 * ledger (../ledger.ts) as readable entries: requests verbatim, the user's
 * constraints, each file with what happened to it, each command with its
 * outcome, each error with whether it was resolved, decisions, pending work,
 * the current work and the next step. Code names are grouped into a few
 * sentences, never listed one per line.
 */
import { SUMMARY_EXCERPT_MAX_CHARS, SUMMARY_MAX_IDENTIFIERS } from '../constants';
import { buildLedger, commandEntry, createLedgerMemo, errorEntry, fileEntry, requestsOf, type Ledger, type LedgerMemo, type LedgerMessage } from '../ledger';

export type FactMessage = LedgerMessage;

export interface Facts {
  userRequests: string[];
  task: string[];
  identifiers: string[];
  files: string[];
  code: string[];
  errors: string[];
  commands: string[];
  decisions: string[];
  pending: string[];
  currentWork: string[];
  nextStep: string[];
}

/** Names per line of the names section (a sentence each, so the fitter can take as many as fit). */
const NAMES_PER_LINE = 12;
const NEXT = /\b(next,? I|next step|then I'll|I'll now|now I'll|let me|I will now|I need to|we need to)\b/i;

/** First `max` chars of a text, with an ellipsis when cut. */
export function excerpt(text: string, max = SUMMARY_EXCERPT_MAX_CHARS): string {
  const t = text.trim().replace(/\s+\n/g, '\n');
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

function oneLine(text: string, max = SUMMARY_EXCERPT_MAX_CHARS): string {
  return excerpt(text.slice(0, 4 * max).replace(/\s+/g, ' '), max);
}

export type FactsMemo = LedgerMemo;
export const createFactsMemo = createLedgerMemo;

/** The user requests of `messages` in order (what extractFacts puts under userRequests), without the other scans. */
export function userRequestsOf(messages: readonly FactMessage[]): string[] {
  return requestsOf(messages);
}

export function extractFacts(messages: readonly FactMessage[], instructions?: string, memo?: FactsMemo, ledger?: Ledger): Facts {
  const l = ledger ?? buildLedger(messages, memo);
  const facts: Facts = { userRequests: l.requests, task: [], identifiers: [], files: [], code: [], errors: [], commands: [], decisions: [], pending: [], currentWork: [], nextStep: [] };
  if (instructions?.trim()) facts.task.push(`Focus requested for this summary: ${oneLine(instructions)}`);
  for (const c of l.constraints) facts.task.push(`User constraint: ${c}`);
  // Walked from the end: the files used most (every message naming one counts, later ones more) and changed or read go
  // last (taken first); a file only listed once in some output goes first (taken last).
  const weight = (f: (typeof l.files)[number]) =>
    (l.fileUses.get(f.path) ?? 0) + (f.actions.some((a) => a === 'created' || a === 'edited' || a === 'deleted') ? 3 : f.actions.some((a) => a === 'read' || a === 'ran') ? 1.5 : 0);
  const byWeight = l.files.map((f, i) => ({ f, i, w: weight(f) })).sort((a, b) => a.w - b.w || a.i - b.i).map((x) => x.f);
  facts.files = byWeight.map(fileEntry);
  // What the agent wrote, by file (the files used most taken first, as above).
  for (const f of byWeight) {
    const lines = l.fileKeyLines.get(f.path);
    if (lines?.length) facts.code.push(`\`${f.path}\` has: ${lines.map((x) => `\`${x}\``).join('; ')}`);
  }
  // Unresolved errors last (taken first).
  facts.errors = [...l.errors.filter((e) => e.resolved), ...l.errors.filter((e) => !e.resolved)].map(errorEntry);
  facts.commands = l.commands.map(commandEntry);
  facts.decisions = l.decisions.slice(-20);
  facts.pending = l.pending.slice(-10);
  // Addresses (URLs, local endpoints) get their own line, taken first: a port or an API URL is re-used verbatim.
  const isAddress = (n: string) => /^https?:\/\/|^(?:localhost|127\.0\.0\.1|0\.0\.0\.0):\d/.test(n);
  const addresses = l.names.filter(isAddress).slice(0, NAMES_PER_LINE);
  if (addresses.length > 0) facts.identifiers.push(`Addresses used: ${addresses.map((n) => `\`${n}\``).join(', ')}.`);
  // By kind (calls, settings, other names), each line a sentence of up to NAMES_PER_LINE names; the lines are
  // interleaved by the rank of their names, so the names used most are still taken first.
  const names = l.names.filter((n) => !isAddress(n)).slice(0, SUMMARY_MAX_IDENTIFIERS);
  const kinds: Array<{ test: (n: string) => boolean; first: string; more: string }> = [
    { test: (n) => n.endsWith('()'), first: 'Functions and methods called most', more: 'Also called' },
    { test: (n) => n.endsWith('='), first: 'Settings written', more: 'More settings' },
    { test: () => true, first: 'Names used most (variables, types, modules)', more: 'Also used' },
  ];
  const lines: Array<{ rank: number; text: string }> = [];
  const kindOf = names.map((n) => kinds.findIndex((k) => k.test(n)));
  kinds.forEach((k, kind) => {
    const mine = names.map((n, rank) => ({ n, rank })).filter((_, i) => kindOf[i] === kind);
    for (let i = 0; i < mine.length; i += NAMES_PER_LINE) {
      const group = mine.slice(i, i + NAMES_PER_LINE);
      const rank = group.reduce((a, g) => a + g.rank, 0) / group.length;
      lines.push({ rank, text: `${i === 0 ? k.first : k.more}: ${group.map((g) => `\`${g.n}\``).join(', ')}.` });
    }
  });
  for (const line of lines.sort((a, b) => a.rank - b.rank)) facts.identifiers.push(line.text);
  // Taken from the end: the latest tool result first (the observation the agent acts on next), then its last words.
  if (l.lastActions.length > 0) facts.currentWork.push(`The assistant's last actions: ${l.lastActions.join('; ')}.`);
  if (l.lastAssistantText) facts.currentWork.push(`The assistant last wrote: ${excerpt(l.lastAssistantText)}`);
  if (l.lastResult) facts.currentWork.push(`The latest tool result began: ${l.lastResult}`);
  const next = l.lastAssistantText
    .split(/(?<=[.!?:])\s+|\n+/)
    .filter((s) => NEXT.test(s))
    .pop();
  const last = l.requests[l.requests.length - 1];
  if (next) facts.nextStep.push(`Next, as the assistant said: ${oneLine(next, 240)}`);
  else if (last) facts.nextStep.push(`Continue with the latest user request (quoted under User requests): ${oneLine(last, 120)}`);
  return facts;
}
