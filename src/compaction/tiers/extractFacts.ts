/**
 * Facts a continuing agent needs, mined deterministically from messages: the
 * user's requests and constraints, files and what happened to them, commands,
 * errors and what followed, decisions, pending work and the current state.
 * Used by the extractive summary (extractive.ts).
 */
import { SUMMARY_EXCERPT_MAX_CHARS, SUMMARY_MAX_IDENTIFIERS } from '../constants';
import type { Part, ToolCallPart } from '../records';
import { argsText } from '../tokens/counter';
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
const ERROR_LINE = /error|exception|traceback|failed|fatal|panic/i;
const DECISION = /\b(decided|decide to|instead of|instead,|I'll|I will|let's|we'll|going to|chose|choose|because|the fix is|approach)\b/i;
const PENDING = /\b(TODO|FIXME|pending|remaining|still need|not yet|left to do|follow[- ]up)\b|^\s*[-*] \[ \]/i;
const CONSTRAINT = /\b(must|mustn't|must not|don't|do not|never|always|only|without|make sure|should not|shouldn't|avoid|keep)\b/i;
const NEXT = /\b(next,? I|next step|then I'll|I'll now|now I'll|let me|I will now)\b/i;
const FILE_MENTION = /(?:^|[\s`'"(])((?:[\w.-]+\/)*[\w.-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|rs|go|java|kt|rb|php|c|h|cc|cpp|hpp|cs|json|ya?ml|toml|md|txt|sh|css|scss|html|sql|cfg|ini|lock))\b/g;
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

function pushUnique(list: string[], item: string): void {
  if (item && !list.includes(item)) list.push(item);
}

export function extractFacts(messages: readonly FactMessage[], instructions?: string): Facts {
  const facts: Facts = { userRequests: [], task: [], identifiers: [], files: [], errors: [], commands: [], decisions: [], pending: [], currentWork: [], nextStep: [] };
  const files = new Map<string, string[]>();
  const touch = (path: string, action: string) => {
    const actions = files.get(path) ?? [];
    if (!actions.includes(action)) actions.push(action);
    files.set(path, actions);
  };
  const calls = new Map<string, ToolCallPart>();
  const idCounts = new Map<string, number>();
  const countIds = (text: string) => {
    for (const m of text.matchAll(IDENTIFIER)) {
      const id = (m[1] ?? m[2] ?? '').trim();
      if (id) idCounts.set(id, (idCounts.get(id) ?? 0) + 1);
    }
  };
  const order: ToolCallPart[] = [];
  const openErrors: Array<{ index: number; at: number }> = [];
  let lastAssistantText = '';

  messages.forEach((m) => {
    const text = textOf(m);
    if (isUserTurnStart(m)) {
      facts.userRequests.push(text || '[non-text request]');
      for (const s of sentences(text)) if (CONSTRAINT.test(s)) pushUnique(facts.task, `User constraint: ${oneLine(s)}`);
      for (const f of text.matchAll(FILE_MENTION)) if (f[1] && !files.has(f[1])) touch(f[1], 'mentioned');
    }
    if (m.role === 'assistant' && text.trim()) {
      lastAssistantText = text;
      for (const s of sentences(text)) if (DECISION.test(s)) pushUnique(facts.decisions, oneLine(s));
    }
    if (m.role !== 'tool') for (const s of text.split('\n')) if (PENDING.test(s)) pushUnique(facts.pending, oneLine(s));
    countIds(text);
    for (const p of m.parts) {
      if (p.type === 'tool_call') {
        calls.set(p.id, p);
        order.push(p);
        countIds(argsText(p.args));
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
        if (cmd) pushUnique(facts.commands, `${oneLine(cmd, 200)}${p.isError ? ' (failed)' : ''}`);
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
  facts.identifiers = [...idCounts.entries()]
    .filter(([id]) => !files.has(id))
    .sort((a, b) => b[1] - a[1])
    .slice(0, SUMMARY_MAX_IDENTIFIERS)
    .map(([id]) => id);
  const first = facts.userRequests[0];
  const last = facts.userRequests[facts.userRequests.length - 1];
  if (instructions?.trim()) facts.task.unshift(`Focus requested for this summary: ${oneLine(instructions)}`);
  if (first) facts.task.unshift(`Initial task: ${oneLine(first)}`);
  if (last && last !== first) facts.task.push(`Latest request: ${oneLine(last)}`);
  if (lastAssistantText) facts.currentWork.push(`Last assistant message: ${excerpt(lastAssistantText)}`);
  const recent = order.slice(-3).map((c) => `${c.name} ${shortArgs(c)}`);
  if (recent.length > 0) facts.currentWork.push(`Last tool calls: ${recent.join('; ')}`);
  const next = sentences(lastAssistantText).filter((s) => NEXT.test(s)).pop();
  if (next) facts.nextStep.push(oneLine(next));
  else if (last) facts.nextStep.push(`Continue with the latest user request: ${oneLine(last, 200)}`);
  return facts;
}
