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
const DECISION = /\b(decided|decide to|instead of|instead,|I'll|I will|let's|we'll|going to|chose|choose|because|the fix is|approach)\b/i;
const PENDING = /\b(TODO|FIXME|pending|remaining|still need|not yet|left to do|follow[- ]up)\b|^\s*[-*] \[ \]/i;
const CONSTRAINT = /\b(must|mustn't|must not|don't|do not|never|always|only|without|make sure|should not|shouldn't|avoid|keep)\b/i;
const NEXT = /\b(next,? I|next step|then I'll|I'll now|now I'll|let me|I will now)\b/i;
/** Files taken from one tool result at most (a `find .` listing would flood the section). */
const FILES_PER_RESULT = 8;
const FILE_MENTION = /(?:^|[\s`'"(])((?:~?\/)?(?:[\w.-]+\/)*[\w.-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|rs|go|java|kt|rb|php|c|h|cc|cpp|hpp|cs|json|ya?ml|toml|md|txt|sh|css|scss|html|sql|cfg|ini|lock))\b/g;
const IDENTIFIER = /`([^`\n]{2,60})`|\b([a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|[a-z0-9]+_[a-z0-9_]+)\b/g;

/** First `max` chars of a text, on one line when it is short, with an ellipsis when cut. */
export function excerpt(text: string, max = SUMMARY_EXCERPT_MAX_CHARS): string {
  const t = text.trim().replace(/\s+\n/g, '\n');
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

function oneLine(text: string, max = SUMMARY_EXCERPT_MAX_CHARS): string {
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

export function extractFacts(messages: readonly FactMessage[], instructions?: string): Facts {
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
  const countIds = (text: string, weight: number) => {
    for (const m of text.matchAll(IDENTIFIER)) {
      const id = (m[1] ?? m[2] ?? '').trim();
      if (id) idScores.set(id, (idScores.get(id) ?? 0) + weight);
    }
  };
  const moveToEnd = (list: string[], item: string) => {
    const at = list.indexOf(item);
    if (at >= 0) list.splice(at, 1);
    list.push(item);
  };
  const order: ToolCallPart[] = [];
  const openErrors: Array<{ index: number; at: number }> = [];
  let lastAssistantText = '';

  messages.forEach((m, index) => {
    const text = textOf(m);
    const recency = 1 + index / Math.max(1, messages.length);
    if (isUserTurnStart(m)) {
      facts.userRequests.push(text || '[non-text request]');
      for (const s of sentences(text)) if (CONSTRAINT.test(s)) pushUnique(facts.task, `User constraint: ${oneLine(s)}`);
      for (const f of text.matchAll(FILE_MENTION)) if (f[1] && !files.has(f[1])) touch(f[1], 'mentioned');
    }
    if (m.role === 'assistant' && text.trim()) {
      lastAssistantText = text;
      for (const f of text.matchAll(FILE_MENTION)) if (f[1]) touch(f[1], 'mentioned');
      for (const s of sentences(text)) if (DECISION.test(s)) pushUnique(facts.decisions, oneLine(s));
    }
    if (m.role !== 'tool') for (const s of text.split('\n')) if (PENDING.test(s)) pushUnique(facts.pending, oneLine(s));
    countIds(text, recency);
    for (const p of m.parts) {
      if (p.type === 'tool_call') {
        calls.set(p.id, p);
        order.push(p);
        for (const v of stringsOf(p.args)) countIds(v, recency);
        for (const path of argValues(p, PATH_KEYS)) touch(path, fileAction(p));
        // An error followed by this call: record what was done about it.
        for (const e of openErrors.splice(0)) {
          facts.errors[e.index] += ` → then: ${p.name} ${shortArgs(p)}`;
        }
      } else if (p.type === 'tool_result') {
        const call = calls.get(p.callId);
        const cmd = call ? commandOf(call) : undefined;
        const errorLines = p.text.split('\n').filter((l) => ERROR_LINE.test(l));
        const failed = p.isError === true || errorLines.length > 0;
        countIds(p.text, recency / 2);
        // Files named in the output (a listing, a traceback, a subagent's report): a few per result.
        let named = 0;
        for (const f of p.text.matchAll(FILE_MENTION)) {
          if (!f[1] || named >= FILES_PER_RESULT) break;
          named++;
          touch(f[1], 'seen in output');
        }
        if (cmd) moveToEnd(facts.commands, `${commandLine(cmd)}${p.isError ? ' (failed)' : ''}`);
        if (failed) {
          const lines = (errorLines.length > 0 ? errorLines : p.text.split('\n')).slice(0, 2).map((l) => oneLine(l, 200));
          const where = call ? `${call.name} ${shortArgs(call)}` : (p.name ?? 'tool');
          facts.errors.push(`${where}: ${lines.join(' | ')}`);
          openErrors.push({ index: facts.errors.length - 1, at: order.length });
        }
      }
    }
  });

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
