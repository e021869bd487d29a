/**
 * Facts a continuing agent needs, mined deterministically from messages: the
 * user's requests and constraints, files and what happened to them, commands,
 * errors and what followed, decisions, pending work and the current state.
 * Used by the extractive summary (extractive.ts).
 */
import { SUMMARY_EXCERPT_MAX_CHARS, SUMMARY_MAX_IDENTIFIERS } from '../constants';
import type { Part, ToolCallPart } from '../records';
import { isUserTurnStart, textOf } from '../turns';
import { shortArgs } from './mask';

export interface FactMessage {
  role: string;
  parts: readonly Part[];
}

export interface Facts {
  userRequests: string[];
  task: string[];
  identifiers: string[];
  files: string[];
  errors: string[];
  commands: string[];
  decisions: string[];
  pending: string[];
  currentWork: string[];
  nextStep: string[];
}

const PATH_KEYS = ['path', 'file', 'file_path', 'filePath', 'filename', 'target_file', 'targetFile', 'notebook_path', 'paths', 'files'];
const COMMAND_KEYS = ['command', 'cmd', 'bash', 'script', 'shell'];
const EDITOR_COMMANDS = new Set(['view', 'create', 'str_replace', 'insert', 'undo_edit', 'write', 'read']);
/** A line that reports an error (not prose that merely says "error handling"). */
const ERROR_LINE = /\b[A-Z]?\w*(?:Error|Exception)\b(?!\s+handling)|^\s*(?:error|fatal|panic|FAIL(?:ED)?)\b|Traceback \(most recent|\bfailed\b|command not found|No such file/;
/** Every ERROR_LINE match holds one of these words: a text without any has no error line (no need to split it). */
const ERROR_WORD = /Error|Exception|error|fatal|panic|FAIL|Traceback|failed|command not found|No such file/;
const DECISION = /\b(decided|decide to|instead of|instead,|I'll|I will|let's|we'll|going to|chose|choose|because|the fix is|approach)\b/i;
const PENDING = /\b(TODO|FIXME|pending|remaining|still need|not yet|left to do|follow[- ]up)\b|^\s*[-*] \[ \]/i;
/** PENDING over a whole text (`m`: at any line start): a text without a match has no pending line. */
const PENDING_ANY = new RegExp(PENDING.source, 'im');
const CONSTRAINT = /\b(must|mustn't|must not|don't|do not|never|always|only|without|make sure|should not|shouldn't|avoid|keep)\b/i;
const NEXT = /\b(next,? I|next step|then I'll|I'll now|now I'll|let me|I will now)\b/i;
/** Files taken from one tool result at most (a `find .` listing would flood the section). */
const FILES_PER_RESULT = 8;
const FILE_EXTENSIONS = 'ts|tsx|js|jsx|mjs|cjs|py|rs|go|java|kt|rb|php|c|h|cc|cpp|hpp|cs|json|ya?ml|toml|md|txt|sh|css|scss|html|sql|cfg|ini|lock';
const FILE_MENTION = new RegExp(`(?:^|[\\s\`'"(])((?:~?\\/)?(?:[\\w.-]+\\/)*[\\w.-]+\\.(?:${FILE_EXTENSIONS}))\\b`, 'g');
/** Every FILE_MENTION ends with one: a text without any mentions no file (a cheap test; FILE_MENTION backtracks on every word). */
const FILE_EXTENSION = new RegExp(`\\.(?:${FILE_EXTENSIONS})\\b`);
const IDENTIFIER = /`([^`\n]{2,60})`|\b([a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|[a-z0-9]+_[a-z0-9_]+)\b/g;

/** First `max` chars of a text, on one line when it is short, with an ellipsis when cut. */
export function excerpt(text: string, max = SUMMARY_EXCERPT_MAX_CHARS): string {
  const t = text.trim().replace(/\s+\n/g, '\n');
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

function oneLine(text: string, max = SUMMARY_EXCERPT_MAX_CHARS): string {
  // Only the first `max` characters survive: a head of the text decides when it collapses to more than that (a
  // minified line can be megabytes); the trailing space of the head may be the text's last character, hence `+ 1`.
  if (text.length > 4 * max) {
    const head = text.slice(0, 4 * max).replace(/\s+/g, ' ').trimStart();
    if (head.length > max + 1) return `${head.slice(0, max - 1)}…`;
  }
  return excerpt(text.replace(/\s+/g, ' '), max);
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 8);
}

function argValues(call: ToolCallPart, keys: readonly string[]): string[] {
  if (typeof call.args === 'string') return [];
  const out: string[] = [];
  for (const k of keys) {
    const v = call.args[k];
    if (typeof v === 'string' && v) out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
  }
  return out;
}

function fileAction(call: ToolCallPart): string {
  const sub = typeof call.args === 'object' && typeof call.args.command === 'string' ? call.args.command : '';
  const verb = `${sub} ${call.name}`;
  if (/create|new_file|write_file|^write|\bwrite/i.test(verb)) return 'created/written';
  if (/edit|replace|patch|apply|insert|update|modify|delete|remove|rename|move/i.test(verb)) return 'edited';
  if (/read|view|cat|open|get|search|grep|find|list|ls/i.test(verb)) return 'read';
  return `used by ${call.name}`;
}

function commandOf(call: ToolCallPart): string | undefined {
  if (typeof call.args === 'string') return /bash|shell|exec|run|terminal|command/i.test(call.name) ? call.args : undefined;
  for (const v of argValues(call, COMMAND_KEYS)) if (!EDITOR_COMMANDS.has(v)) return v;
  return undefined;
}

/** A command as the agent typed its first line (verbatim, so it can be searched and re-run), with the number of further lines. */
function commandLine(cmd: string): string {
  const lines = cmd.trim().split('\n');
  const first = lines[0] ?? '';
  const head = first.length <= 200 ? first : `${first.slice(0, 199)}…`;
  return lines.length > 1 ? `${head} [+${lines.length - 1} lines]` : head;
}

/** String values of tool arguments, recursively (not their JSON, whose escapes would glue `\n` to words). */
function stringsOf(args: unknown): string[] {
  if (typeof args === 'string') return [args];
  if (Array.isArray(args)) return args.flatMap(stringsOf);
  if (args && typeof args === 'object') return Object.values(args).flatMap(stringsOf);
  return [];
}

function pushUnique(list: string[], item: string): void {
  if (item && !list.includes(item)) list.push(item);
}

/** What one message yields on its own (the regex scans), independent of the other messages. */
interface MessageFacts {
  text: string;
  userTurn: boolean;
  /** User turn: its constraint sentences; assistant: its decision sentences (both one-lined). */
  sentences: string[];
  /** File mentions in a user turn or an assistant message's text, in order. */
  mentions: string[];
  /** Lines that read like pending work (not in tool messages), one-lined. */
  pending: string[];
  /** Identifier uses in order, each with its weight (1 in text and arguments, 0.5 in tool output): replayed in order, the sums are the same to the last bit. */
  ids: string[];
  idWeights: number[];
  /**
   * By part index, for tool results only: whether it failed, the two lines an
   * error entry quotes (its first error lines, or its first lines when only
   * flagged as an error; one-lined), and the files it names (FILES_PER_RESULT).
   */
  results: Map<number, { failed: boolean; errorLines: string[]; files: string[] }>;
}

/**
 * Memo of the per-message scans for one compaction: the planner summarizes
 * overlapping ranges of the same messages (to size the summary, then to write
 * it), and the scans are most of the cost. Keyed by message object.
 */
export type FactsMemo = WeakMap<FactMessage, MessageFacts>;

export function createFactsMemo(): FactsMemo {
  return new WeakMap();
}

function scanIds(text: string, weight: number, out: MessageFacts): void {
  IDENTIFIER.lastIndex = 0;
  for (let m = IDENTIFIER.exec(text); m; m = IDENTIFIER.exec(text)) {
    const id = m[2] ?? (m[1] ?? '').trim();
    if (!id) continue;
    out.ids.push(id);
    out.idWeights.push(weight);
  }
}

function scanMessage(m: FactMessage): MessageFacts {
  const text = textOf(m);
  const userTurn = isUserTurnStart(m);
  const out: MessageFacts = { text, userTurn, sentences: [], mentions: [], pending: [], ids: [], idWeights: [], results: new Map() };
  if (userTurn) {
    // A sentence that matches is a part of the text that does: a text without a match has no sentence to split out.
    if (CONSTRAINT.test(text)) for (const s of sentences(text)) if (CONSTRAINT.test(s)) out.sentences.push(`User constraint: ${oneLine(s)}`);
  } else if (m.role === 'assistant' && text.trim()) {
    if (DECISION.test(text)) for (const s of sentences(text)) if (DECISION.test(s)) out.sentences.push(oneLine(s));
  }
  if ((userTurn || (m.role === 'assistant' && text.trim())) && FILE_EXTENSION.test(text)) for (const f of text.matchAll(FILE_MENTION)) if (f[1]) out.mentions.push(f[1]);
  if (m.role !== 'tool' && PENDING_ANY.test(text)) for (const s of text.split('\n')) if (PENDING.test(s)) out.pending.push(oneLine(s));
  scanIds(text, 1, out);
  m.parts.forEach((p, i) => {
    if (p.type === 'tool_call') {
      for (const v of stringsOf(p.args)) scanIds(v, 1, out);
    } else if (p.type === 'tool_result') {
      const errorLines = ERROR_WORD.test(p.text) ? p.text.split('\n').filter((l) => ERROR_LINE.test(l)) : [];
      const failed = p.isError === true || errorLines.length > 0;
      scanIds(p.text, 0.5, out);
      const files: string[] = [];
      for (const f of FILE_EXTENSION.test(p.text) ? p.text.matchAll(FILE_MENTION) : []) {
        if (!f[1] || files.length >= FILES_PER_RESULT) break;
        files.push(f[1]);
      }
      const shown = failed ? (errorLines.length > 0 ? errorLines : p.text.split('\n')).slice(0, 2).map((l) => oneLine(l, 200)) : [];
      out.results.set(i, { failed, errorLines: shown, files });
    }
  });
  return out;
}

/** The user requests of `messages` in order (what extractFacts puts under userRequests), without the other scans. */
export function userRequestsOf(messages: readonly FactMessage[]): string[] {
  return messages.filter(isUserTurnStart).map((m) => textOf(m) || '[non-text request]');
}

export function extractFacts(messages: readonly FactMessage[], instructions?: string, memo?: FactsMemo): Facts {
  const facts: Facts = { userRequests: [], task: [], identifiers: [], files: [], errors: [], commands: [], decisions: [], pending: [], currentWork: [], nextStep: [] };
  const files = new Map<string, string[]>();
  // Re-inserting moves a file to the end: the list ends with the files used last.
  const touch = (path: string, action: string) => {
    const actions = files.get(path) ?? [];
    if (!actions.includes(action)) actions.push(action);
    files.delete(path);
    files.set(path, actions);
  };
  const calls = new Map<string, ToolCallPart>();
  // Identifiers ranked by use, recent uses weighing up to twice as much; tool output counts half.
  const idScores = new Map<string, number>();
  // Commands in order of last use: re-adding moves one to the end.
  const commands = new Set<string>();
  const order: ToolCallPart[] = [];
  const openErrors: Array<{ index: number; at: number }> = [];
  let lastAssistantText = '';

  messages.forEach((m, index) => {
    let scanned = memo?.get(m);
    if (!scanned) {
      scanned = scanMessage(m);
      memo?.set(m, scanned);
    }
    const { text } = scanned;
    const recency = 1 + index / Math.max(1, messages.length);
    if (scanned.userTurn) {
      facts.userRequests.push(text || '[non-text request]');
      for (const s of scanned.sentences) pushUnique(facts.task, s);
      for (const f of scanned.mentions) if (!files.has(f)) touch(f, 'mentioned');
    }
    if (m.role === 'assistant' && text.trim()) {
      lastAssistantText = text;
      for (const f of scanned.mentions) touch(f, 'mentioned');
      for (const s of scanned.sentences) pushUnique(facts.decisions, s);
    }
    for (const s of scanned.pending) pushUnique(facts.pending, s);
    const { ids, idWeights } = scanned;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      idScores.set(id, (idScores.get(id) ?? 0) + idWeights[k]! * recency);
    }
    m.parts.forEach((p, i) => {
      if (p.type === 'tool_call') {
        calls.set(p.id, p);
        order.push(p);
        for (const path of argValues(p, PATH_KEYS)) touch(path, fileAction(p));
        // An error followed by this call: record what was done about it.
        for (const e of openErrors.splice(0)) {
          facts.errors[e.index] += ` → then: ${p.name} ${shortArgs(p)}`;
        }
      } else if (p.type === 'tool_result') {
        const r = scanned.results.get(i);
        if (!r) return;
        const call = calls.get(p.callId);
        const cmd = call ? commandOf(call) : undefined;
        // Files named in the output (a listing, a traceback, a subagent's report): a few per result.
        for (const f of r.files) touch(f, 'seen in output');
        if (cmd) {
          const line = `${commandLine(cmd)}${p.isError ? ' (failed)' : ''}`;
          commands.delete(line);
          commands.add(line);
        }
        if (r.failed) {
          const where = call ? `${call.name} ${shortArgs(call)}` : (p.name ?? 'tool');
          facts.errors.push(`${where}: ${r.errorLines.join(' | ')}`);
          openErrors.push({ index: facts.errors.length - 1, at: order.length });
        }
      }
    });
  });

  facts.commands = [...commands];
  for (const [path, actions] of files) facts.files.push(`${path} — ${actions.join(', ')}`);
  facts.identifiers = [...idScores.entries()]
    .filter(([id]) => !files.has(id))
    .sort((a, b) => b[1] - a[1])
    .slice(0, SUMMARY_MAX_IDENTIFIERS)
    .map(([id]) => id);
  const last = facts.userRequests[facts.userRequests.length - 1];
  // The requests themselves are quoted under User requests; the task section adds constraints and focus.
  if (instructions?.trim()) facts.task.unshift(`Focus requested for this summary: ${oneLine(instructions)}`);
  if (lastAssistantText) facts.currentWork.push(`Last assistant message: ${excerpt(lastAssistantText)}`);
  const recent = order.slice(-3).map((c) => `${c.name} ${shortArgs(c)}`);
  if (recent.length > 0) facts.currentWork.push(`Last tool calls: ${recent.join('; ')}`);
  const next = sentences(lastAssistantText).filter((s) => NEXT.test(s)).pop();
  if (next) facts.nextStep.push(oneLine(next));
  else if (last) facts.nextStep.push(`Continue with the latest user request (quoted under User requests): ${oneLine(last, 120)}`);
  return facts;
}
