/**
 * The artifact ledger: what a continuing agent must not lose, built
 * deterministically from the log — every user request verbatim, the
 * constraints the user stated, each file with what happened to it (and the
 * gist of its last edit), each command with its outcome (exit code or key
 * output line), errors with whether and how they were resolved, decisions,
 * the current work and the open next step. It is the spine of every summary:
 * the extractive summary renders it (tiers/extractFacts.ts), the LLM summary
 * gets it as ground truth in its prompt and is checked against it
 * (fidelity.ts).
 *
 * What a request is comes from the importer (`request: false` marks a
 * demonstration, an expanded command template, an observation), not from the
 * position of a user message. Pure; per-message scans are memoized by message
 * object (the planner summarizes overlapping ranges of one log).
 */
import type { Part, ToolCallPart } from './records';
import { callEffects, commandOf, exitCodeOf, firstLine, keyLine, type FileAction } from './ledgerShell';
import { isUserTurnStart, textOf } from './turns';
import type { TimeSlicer } from './timeSlicer';

export interface LedgerMessage {
  role: string;
  parts: readonly Part[];
  /** false: a user message that is not a request (set by importers). */
  request?: boolean;
}

export interface LedgerFile {
  path: string;
  /** What happened to it, in order of first occurrence. */
  actions: FileAction[];
  /** The gist of its last edit or write. */
  lastEdit?: string;
}

export interface LedgerCommand {
  /** The first line as typed (verbatim, to be searched and re-run), with the number of further lines. */
  command: string;
  exitCode?: number;
  failed: boolean;
  /** The result's key line (its last error line, else its last line). */
  keyLine?: string;
}

export interface LedgerError {
  /** What failed: a command, or a tool and its target. */
  where: string;
  /** Its first error lines (one-lined). */
  message: string;
  /** How it was resolved, when it was: the same step later succeeded. */
  resolved?: string;
  /** What the agent did next (an unresolved error's follow-up). */
  then?: string;
}

export interface Ledger {
  requests: string[];
  constraints: string[];
  files: LedgerFile[];
  commands: LedgerCommand[];
  errors: LedgerError[];
  decisions: string[];
  pending: string[];
  /** The last assistant message and the last tool calls. */
  lastAssistantText: string;
  /** The latest tool result, its head (the observation the agent acts on next). */
  lastResult?: string;
  lastActions: string[];
  /** Code names by use (recent uses weigh more), a call written `name()`. */
  names: string[];
  /** Key lines of what the agent wrote into each file (definitions, error messages), newest first. */
  fileKeyLines: Map<string, string[]>;
  /** How much each file (by path) was used: each message naming it (request, reply, call, result) counts 1 to 2, later ones more. */
  fileUses: Map<string, number>;
}

/** A user request per the importer: a user turn start not marked `request: false`. */
export function isRequest(m: LedgerMessage): boolean {
  return m.request !== false && isUserTurnStart(m);
}

/** The user requests of `messages`, in order, verbatim. */
export function requestsOf(messages: readonly LedgerMessage[]): string[] {
  return messages.filter(isRequest).map((m) => textOf(m) || '[non-text request]');
}

const DECISION = /\b(decided|decide to|instead of|I'll use|I will use|we'll use|chose|the fix is|the (?:root )?cause is|the issue is|the problem is|approach)\b/i;
/** Open work: a `TODO:` / `FIXME` marker (upper case: "TODO app" is not one), a phrase, an unchecked box. */
const PENDING = /\b(?:TODO|FIXME)(?:\([^)\n]*\))?:|\bFIXME\b|\b(?:still need|not yet|left to do|[Ff]ollow[- ]up)\b|^\s*[-*] \[ \]/;
const CONSTRAINT = /\b(must|mustn't|must not|don't|do not|never|always|only|without|make sure|should not|shouldn't|avoid|prefer|please keep|keep it)\b/i;
/** A request longer than this is a template or a pasted document: its sentences are not scanned for constraints (it is quoted). */
const CONSTRAINT_SCAN_MAX_CHARS = 3_000;
const ERROR_LINE = /<tool_use_error>|\b[A-Z]\w*(?:Error|Exception)\b(?!\s+handling)|^\s*(?:error|Error|ERROR|fatal|panic|FAIL(?:ED)?)\b|Traceback \(most recent|\bfailed\b|command not found|No such file/;
const ERROR_WORD = /tool_use_error|Error|Exception|error|fatal|panic|FAIL|Traceback|failed|command not found|No such file/;
const FILE_EXTENSIONS = 'ts|tsx|js|jsx|mjs|cjs|py|rs|go|java|kt|rb|php|c|h|cc|cpp|hpp|cs|json|ya?ml|toml|md|txt|sh|css|scss|html|sql|cfg|ini|lock|vue|svelte|swift';
const FILE_MENTION = new RegExp(`(?:^|[\\s\`'"(])((?:~?\\/)?(?:[\\w.-]+\\/)*[\\w.-]+\\.(?:${FILE_EXTENSIONS}))\\b`, 'g');
const FILE_EXTENSION = new RegExp(`\\.(?:${FILE_EXTENSIONS})\\b`);
/** The latest tool result is quoted up to this many characters. */
const LAST_RESULT_MAX_CHARS = 400;
/** Files taken from one tool result at most (a `find .` listing would flood the ledger). */
const FILES_PER_RESULT = 6;
/** Code-like names: backticked spans, camelCase, snake_case, `Class.member`, and calls (`name(`). */
const NAME = /`([^`\n]{3,50})`|\b([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\()|\b([a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|[a-z0-9]+_[a-z0-9_]+|[A-Z][A-Za-z0-9]*\.[a-z_][A-Za-z0-9_]*)\b/g;
/** Modules imported in code the agent read or wrote (Python `from x import` / `import x`, JS `from 'x'` / `require('x')`). */
const IMPORT = /^[ \t]*(?:\d+[ \t]*[:|→\t][ \t]?)?[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([A-Za-z_][\w.]*)[ \t]*$)|\b(?:from|require\()\s*['"]([^'"./][^'"\s]*)['"]/gm;
/** Addresses: URLs and local `host:port` endpoints (a dev server, a database), kept as names. */
const ADDRESS = /\bhttps?:\/\/[^\s"'`<>()[\]{}|\\^]+|\b(?:localhost|127\.0\.0\.1|0\.0\.0\.0):\d{2,5}\b/g;
/** Settings written `NAME=` (environment variables, keyword settings). */
const SETTING = /\b([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,})=(?!=)/g;
const codeLike = (n: string) => /[A-Za-z0-9]_[A-Za-z0-9]|^_|[a-z][A-Z]|\./.test(n) || n.length >= 8;
const COMMON_CALLS = new Set('print len str int range list dict set open isinstance hasattr getattr setattr require describe console.log it test expect'.split(' '));

/** A line of written code worth quoting: a definition, or an error message it raises or sets. */
const KEY_CODE_LINE = /^\s*(?:export\s+(?:default\s+)?)?(?:async\s+)?(?:def|class|function|interface|enum)\s+[A-Za-z_]\w*|^\s*export\s+(?:const|type|let)\s+\w+|(?:raise|throw|\berror\b|Error|fail\w*)[^'"`\n]{0,40}['"`][^'"`\n]{4,}['"`]/;
/** The error-message kind of KEY_CODE_LINE. */
const KEY_MESSAGE_LINE = /(?:raise|throw|\berror\b|Error|fail\w*)[^'"`\n]{0,40}['"`][^'"`\n]{4,}['"`]/;
/** Key lines kept per file. */
const KEY_LINES_PER_FILE = 8;
/** Written content in a write or edit tool's arguments. */
const CONTENT_KEYS = ['content', 'new_string', 'file_text', 'new_str', 'text', 'code', 'contents'];

function keyCodeLines(call: ToolCallPart): string[] {
  const args = typeof call.args === 'object' && call.args !== null ? (call.args as Record<string, unknown>) : {};
  const texts = CONTENT_KEYS.map((k) => args[k]).filter((v): v is string => typeof v === 'string');
  const cmd = commandOf(call);
  // A heredoc's body is written content too.
  if (cmd && /<<-?\s*['"]?\w+/.test(cmd.split('\n')[0] ?? '')) texts.push(cmd.split('\n').slice(1).join('\n'));
  return keyLinesOf(texts);
}

/** Key lines of code texts (a listing's line numbers, `  12→` or `12:`, taken off). */
function keyLinesOf(texts: readonly string[]): string[] {
  const messages: string[] = [];
  const definitions: string[] = [];
  for (const t of texts) {
    for (const raw of t.split('\n')) {
      const line = raw.replace(/^\s*\d+(?:→|:|\t)/, '');
      if (line.length <= 4 || !KEY_CODE_LINE.test(line)) continue;
      const l = oneLine(line.replace(/[{:]\s*$/, ''), 120);
      const into = KEY_MESSAGE_LINE.test(line) ? messages : definitions;
      if (!into.includes(l) && into.length < KEY_LINES_PER_FILE) into.push(l);
    }
  }
  // The messages first (what a later search for an error finds), then the definitions, in file order each.
  return [...messages, ...definitions].slice(0, KEY_LINES_PER_FILE);
}

function oneLine(text: string, max = 300): string {
  const t = text.slice(0, 4 * max).replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 8);
}

function commandLine(cmd: string): string {
  const lines = cmd.trim().split('\n');
  const first = oneLine(lines[0] ?? '', 200);
  return lines.length > 1 ? `${first} [+${lines.length - 1} lines]` : first;
}

/** A call described in a few words: the command it ran, or its tool and target. */
function describeCall(call: ToolCallPart): string {
  const cmd = commandOf(call);
  if (cmd) return `ran \`${commandLine(cmd).slice(0, 120)}\``;
  const target = callEffects(call)[0];
  return target ? `${call.name} ${target.path}` : call.name;
}

/** One message's own scan (independent of the others), memoized. */
interface Scan {
  text: string;
  request: boolean;
  sentences: string[];
  mentions: string[];
  pending: string[];
  names: Array<[string, number]>;
  results: Map<number, { failed: boolean; errorLines: string[]; files: string[]; exitCode?: number; keyLine?: string }>;
}

export type LedgerMemo = WeakMap<LedgerMessage, Scan>;
export function createLedgerMemo(): LedgerMemo {
  return new WeakMap();
}

function scanNames(text: string, weight: number, out: Array<[string, number]>): void {
  NAME.lastIndex = 0;
  for (let m = NAME.exec(text); m; m = NAME.exec(text)) {
    let name: string | undefined;
    if (m[1] !== undefined) name = /^[\w.]+\(?\)?$/.test(m[1]) && codeLike(m[1]) ? m[1] : undefined;
    else if (m[2] !== undefined) name = codeLike(m[2]) && !COMMON_CALLS.has(m[2]) ? `${m[2]}()` : undefined;
    else name = m[4];
    if (name) out.push([name, weight]);
  }
  if (/import|require|from/.test(text)) {
    IMPORT.lastIndex = 0;
    for (let m = IMPORT.exec(text); m; m = IMPORT.exec(text)) {
      const mod = m[1] ?? m[2] ?? m[3];
      if (mod && mod.length >= 3) out.push([mod, weight]);
    }
  }
  if (/https?:|localhost|127\.0\.0\.1|0\.0\.0\.0/.test(text)) {
    ADDRESS.lastIndex = 0;
    for (let m = ADDRESS.exec(text); m; m = ADDRESS.exec(text)) out.push([m[0].replace(/[.,;:!?]+$/, ''), weight]);
  }
  SETTING.lastIndex = 0;
  for (let m = SETTING.exec(text); m; m = SETTING.exec(text)) if (m[1]) out.push([`${m[1]}=`, weight]);
}

function scan(m: LedgerMessage): Scan {
  const text = textOf(m);
  const request = isRequest(m);
  const out: Scan = { text, request, sentences: [], mentions: [], pending: [], names: [], results: new Map() };
  if (request) {
    // A sentence that is the whole request adds nothing to its quote.
    if (text.length <= CONSTRAINT_SCAN_MAX_CHARS && CONSTRAINT.test(text)) for (const s of sentences(text)) if (CONSTRAINT.test(s) && s !== text.trim()) out.sentences.push(oneLine(s, 240));
  } else if (m.role === 'assistant' && text.trim()) {
    if (DECISION.test(text)) for (const s of sentences(text)) if (DECISION.test(s) && /^[A-Z]/.test(s) && !/\blet me\b/i.test(s) && s.length <= 400) out.sentences.push(oneLine(s, 240));
  }
  if ((request || m.role === 'assistant') && FILE_EXTENSION.test(text)) for (const f of text.matchAll(FILE_MENTION)) if (f[1]) out.mentions.push(f[1]);
  if (m.role === 'assistant' && PENDING.test(text)) for (const s of text.split('\n')) if (PENDING.test(s)) out.pending.push(oneLine(s, 200));
  if (m.role !== 'user' || !request) scanNames(text, 1, out.names);
  m.parts.forEach((p, i) => {
    if (p.type === 'tool_call') {
      for (const v of typeof p.args === 'string' ? [p.args] : Object.values(p.args)) if (typeof v === 'string') scanNames(v, 1, out.names);
    } else if (p.type === 'tool_result') {
      const exitCode = exitCodeOf(p.text);
      const errorLines = ERROR_WORD.test(p.text) ? p.text.split('\n').filter((l) => ERROR_LINE.test(l)) : [];
      const failed = p.isError === true || (exitCode !== undefined ? exitCode !== 0 : errorLines.length > 0);
      scanNames(p.text, 0.5, out.names);
      const files: string[] = [];
      for (const f of FILE_EXTENSION.test(p.text) ? p.text.matchAll(FILE_MENTION) : []) {
        if (!f[1] || files.length >= FILES_PER_RESULT) break;
        if (!files.includes(f[1])) files.push(f[1]);
      }
      const shown = failed ? (errorLines.length > 0 ? errorLines.slice(-2) : [keyLine(p.text) ?? '']).map((l) => oneLine(l, 200)) : [];
      const key = keyLine(p.text);
      out.results.set(i, { failed, errorLines: shown, files, ...(exitCode !== undefined ? { exitCode } : {}), ...(key ? { keyLine: key } : {}) });
    }
  });
  return out;
}

/**
 * Scans `messages` into `memo` in time slices (the per-message part of the
 * ledger: text, names, results), so buildLedger over them afterwards is a
 * cheap pass; in the extension host a 500K-token range scanned in one go
 * stalls it for ~400 ms.
 */
export async function scanInSlices(messages: readonly LedgerMessage[], memo: LedgerMemo, slicer: TimeSlicer): Promise<void> {
  for (const m of messages) {
    if (!memo.has(m)) memo.set(m, scan(m));
    if (slicer.due()) await slicer.yield();
  }
}

/** The ledger built one message at a time: `add` each message in order, then `finish`. */
function ledgerBuilder(total: number, memo?: LedgerMemo): { add(m: LedgerMessage, index: number): void; finish(): Ledger } {
  const ledger: Ledger = { requests: [], constraints: [], files: [], commands: [], errors: [], decisions: [], pending: [], lastAssistantText: '', lastActions: [], names: [], fileUses: new Map(), fileKeyLines: new Map() };
  const files = new Map<string, LedgerFile>();
  // Re-inserting moves a file to the end: the ledger lists files by last use.
  let recency = 1;
  const touch = (path: string, action: FileAction, gist?: string) => {
    const clean = path.replace(/^\.\//, '');
    const f = files.get(clean) ?? { path: clean, actions: [] };
    ledger.fileUses.set(clean, (ledger.fileUses.get(clean) ?? 0) + recency);
    if (action === 'seen in output' || action === 'mentioned') {
      if (f.actions.length === 0) f.actions.push(action);
      if (!files.has(clean)) files.set(clean, f);
      return;
    }
    f.actions = f.actions.filter((a) => a !== 'seen in output' && a !== 'mentioned');
    if (!f.actions.includes(action)) f.actions.push(action);
    if (gist) f.lastEdit = gist;
    files.delete(clean);
    files.set(clean, f);
  };
  const calls = new Map<string, ToolCallPart>();
  const commands = new Map<string, LedgerCommand>();
  const nameScores = new Map<string, number>();
  const open: Array<{ error: LedgerError; step: string }> = [];
  const actions: string[] = [];
  let openFile: string | undefined;
  let sawRequest = false;
  // A file's key lines, the newest first.
  const addKeyLines = (path: string, lines: string[]) => {
    const clean = path.replace(/^\.\//, '');
    if (lines.length > 0) ledger.fileKeyLines.set(clean, [...new Set([...lines, ...(ledger.fileKeyLines.get(clean) ?? [])])].slice(0, KEY_LINES_PER_FILE));
  };

  const add = (m: LedgerMessage, index: number): void => {
    let s = memo?.get(m);
    if (!s) {
      s = scan(m);
      memo?.set(m, s);
    }
    recency = 1 + index / Math.max(1, total);
    if (s.request) sawRequest = true;
    // A user message before the first request that is not one (a demonstration, an example) is not the user's work: its
    // names would crowd the summary's identifiers.
    const demonstration = !sawRequest && m.role === 'user';
    if (!demonstration) for (const [n, w] of s.names) nameScores.set(n, (nameScores.get(n) ?? 0) + w * recency);
    if (s.request) {
      ledger.requests.push(s.text || '[non-text request]');
      for (const c of s.sentences) if (!ledger.constraints.includes(c)) ledger.constraints.push(c);
      for (const f of s.mentions) touch(f, 'mentioned');
    } else if (m.role === 'assistant' && s.text.trim()) {
      ledger.lastAssistantText = s.text;
      for (const f of s.mentions) touch(f, 'mentioned');
      for (const d of s.sentences) if (!ledger.decisions.includes(d)) ledger.decisions.push(d);
    }
    for (const p of s.pending) if (!ledger.pending.includes(p)) ledger.pending.push(p);
    m.parts.forEach((p, i) => {
      if (p.type === 'tool_call') {
        calls.set(p.id, p);
        actions.push(describeCall(p));
        const effects = callEffects(p, openFile);
        for (const e of effects) touch(e.path, e.action, e.gist);
        const written = effects.filter((e) => e.action === 'created' || e.action === 'edited');
        if (written.length === 1) addKeyLines(written[0]!.path, keyCodeLines(p));
        const cmd = commandOf(p);
        const opened = /^open\s+("?)([^\s"]+)\1/.exec(cmd ?? '') ?? /^create\s+([^\s]+)/.exec(cmd ?? '');
        if (opened) openFile = opened[2] ?? opened[1];
        for (const o of open) o.error.then ??= describeCall(p);
      } else if (p.type === 'tool_result') {
        const r = s.results.get(i);
        if (!r) return;
        ledger.lastResult = oneLine(p.text, LAST_RESULT_MAX_CHARS);
        const call = calls.get(p.callId);
        const cmd = call ? commandOf(call) : undefined;
        // A file read whole by a read tool: its key lines (what it defines, the errors it reports).
        const read = call && !cmd && p.isError !== true ? callEffects(call).filter((e) => e.action === 'read') : [];
        if (read.length === 1) addKeyLines(read[0]!.path, keyLinesOf([p.text]));
        for (const f of r.files) touch(f, 'seen in output');
        const step = cmd ? commandLine(cmd) : call ? describeCall(call) : (p.name ?? 'tool');
        if (cmd) {
          commands.delete(step);
          commands.set(step, { command: step, failed: r.failed, ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}), ...(r.keyLine ? { keyLine: r.keyLine } : {}) });
        }
        // Errors are resolved by the same step succeeding: the whole command (scripts may share their first line).
        const key = cmd ? cmd.trim() : step;
        if (r.failed) {
          const message = r.errorLines.filter(Boolean).join(' | ') || (r.exitCode !== undefined ? `exit code ${r.exitCode}, no error output` : 'failed');
          const error: LedgerError = { where: cmd ? `\`${step}\`` : step, message };
          ledger.errors.push(error);
          open.push({ error, step: key });
        } else {
          // The same step succeeding later resolves its open errors.
          for (let k = open.length - 1; k >= 0; k--) {
            const o = open[k]!;
            if (o.step !== key) continue;
            o.error.resolved = o.error.then && !o.error.then.includes(step.slice(0, 60)) ? `it passed after ${o.error.then}` : 'it passed when run again';
            open.splice(k, 1);
          }
        }
      }
    });
  };
  const finish = (): Ledger => {
    ledger.files = [...files.values()];
    ledger.commands = [...commands.values()];
    ledger.lastActions = actions.slice(-3);
    ledger.names = [...nameScores.entries()]
      .filter(([n]) => !files.has(n))
      .sort((a, b) => b[1] - a[1])
      .map(([n]) => n);
    return ledger;
  };
  return { add, finish };
}

/** Builds the ledger of `messages` (in order). */
export function buildLedger(messages: readonly LedgerMessage[], memo?: LedgerMemo): Ledger {
  const builder = ledgerBuilder(messages.length, memo);
  messages.forEach((m, i) => builder.add(m, i));
  return builder.finish();
}

/** buildLedger in time slices (the extension host: a 500K-token range takes ~100 ms and more under load). */
export async function buildLedgerInSlices(messages: readonly LedgerMessage[], memo: LedgerMemo, slicer: TimeSlicer): Promise<Ledger> {
  const builder = ledgerBuilder(messages.length, memo);
  for (let i = 0; i < messages.length; i++) {
    builder.add(messages[i]!, i);
    if (slicer.due()) await slicer.yield();
  }
  return builder.finish();
}


/** A file's ledger entry as a sentence. */
export function fileEntry(f: LedgerFile): string {
  const acts = f.actions.join(', ');
  return `\`${f.path}\` — ${acts}${f.lastEdit ? `; last change: ${f.lastEdit}` : ''}`;
}

/** A command's ledger entry as a sentence: the command, then its outcome. */
export function commandEntry(c: LedgerCommand): string {
  const outcome = c.exitCode !== undefined ? `exit code ${c.exitCode}` : c.failed ? 'failed' : 'ok';
  return `\`${c.command}\` → ${outcome}${c.keyLine ? `: ${c.keyLine}` : ''}`;
}

/** An error's ledger entry as a sentence, with whether and how it was resolved. */
export function errorEntry(e: LedgerError): string {
  const how = e.resolved ? `resolved (${e.resolved})` : e.then ? `not yet resolved; next the agent ${e.then.startsWith('ran') ? e.then : `used ${e.then}`}` : 'not yet resolved';
  return `${e.where} failed: ${e.message} — ${how}`;
}

export { firstLine };
