/**
 * What a tool call did to files and what a command's result says, for the
 * artifact ledger (ledger.ts). Tool vocabularies differ by agent: the
 * extension's own tools (compactor_editFile, compactor_createFile,
 * compactor_writeFile, compactor_runInTerminal, readFile), Claude Code
 * (Read/Edit/MultiEdit/Write/Bash), SWE-agent (open/create/edit and bash),
 * mini-swe-agent and OpenHands (bash, str_replace_editor with a `command`
 * argument), pi (read/edit/write/bash). A shell command is read for its file
 * effects (redirections, `sed -i`, `rm`, `mv`, heredocs, scripts run). All
 * pure, no I/O.
 */
import type { ToolCallPart } from './records';

export type FileAction = 'read' | 'created' | 'edited' | 'deleted' | 'ran' | 'mentioned' | 'seen in output';

export interface FileEffect {
  path: string;
  action: FileAction;
  /** What an edit or write changed, in a few words (the gist of the last one is kept). */
  gist?: string;
}

const PATH_KEYS = ['path', 'file', 'file_path', 'filePath', 'filename', 'target_file', 'targetFile', 'notebook_path', 'paths', 'files'];
const COMMAND_KEYS = ['command', 'cmd', 'bash', 'script', 'shell'];
/** `command` values of editor tools (str_replace_editor and the like), not shell commands. */
const EDITOR_COMMANDS = new Set(['view', 'create', 'str_replace', 'insert', 'undo_edit', 'write', 'read']);
const OLD_KEYS = ['oldText', 'old_string', 'old_str', 'oldString', 'search'];
const NEW_KEYS = ['newText', 'new_string', 'new_str', 'newString', 'replace', 'file_text', 'content', 'insert_text'];
const GIST_MAX_CHARS = 90;

function str(args: ToolCallPart['args'], keys: readonly string[]): string | undefined {
  if (typeof args === 'string') return undefined;
  for (const k of keys) {
    const v = args[k];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function strings(args: ToolCallPart['args'], keys: readonly string[]): string[] {
  if (typeof args === 'string') return [];
  const out: string[] = [];
  for (const k of keys) {
    const v = args[k];
    if (typeof v === 'string' && v) out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
  }
  return out;
}

/** The first non-blank line of a text, cut to `max` characters. */
export function firstLine(text: string, max = GIST_MAX_CHARS): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  const t = line.trim().replace(/\s+/g, ' ');
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** The shell command a call runs, if it runs one. */
export function commandOf(call: ToolCallPart): string | undefined {
  if (typeof call.args === 'string') return /bash|shell|exec|run|terminal|command/i.test(call.name) ? call.args : undefined;
  for (const v of strings(call.args, COMMAND_KEYS)) if (!EDITOR_COMMANDS.has(v)) return v;
  return undefined;
}

function editGist(call: ToolCallPart): string | undefined {
  if (typeof call.args === 'string') return undefined;
  const edits = call.args.edits;
  const first = Array.isArray(edits) && edits[0] && typeof edits[0] === 'object' ? (edits[0] as Record<string, unknown>) : undefined;
  const args = first ? { ...call.args, ...first } : call.args;
  const oldText = str(args as ToolCallPart['args'], OLD_KEYS);
  const newText = str(args as ToolCallPart['args'], NEW_KEYS);
  const more = Array.isArray(edits) && edits.length > 1 ? ` (and ${edits.length - 1} more edits)` : '';
  if (oldText !== undefined && newText !== undefined) return `replaced "${firstLine(oldText, 60)}" with "${firstLine(newText, 60)}"${more}`;
  if (newText !== undefined) return `${newText.split('\n').length} lines, starting "${firstLine(newText, 60)}"`;
  return undefined;
}

/** File effects of an editor-style tool (by its name or its `command` argument). */
function toolEffects(call: ToolCallPart): FileEffect[] {
  const paths = strings(call.args, PATH_KEYS);
  if (paths.length === 0) return [];
  const sub = typeof call.args === 'object' && typeof call.args.command === 'string' && EDITOR_COMMANDS.has(call.args.command) ? call.args.command : '';
  const verb = `${sub} ${call.name}`;
  let action: FileAction;
  if (/delete|remove|unlink/i.test(verb)) action = 'deleted';
  else if (/create|new_?file|write/i.test(verb)) action = 'created';
  else if (/edit|replace|patch|apply|insert|update|modify|undo/i.test(verb)) action = 'edited';
  else if (/read|view|cat|open|get|search|grep|find|list|ls|glob/i.test(verb)) action = 'read';
  else action = 'mentioned';
  const gist = action === 'created' || action === 'edited' ? editGist(call) : undefined;
  return paths.map((path) => ({ path, action, ...(gist ? { gist } : {}) }));
}

const PATHLIKE = /^(?:~?\/|\.{1,2}\/)?(?:[\w@+-][\w.@+-]*\/)*[\w@+-][\w.@+-]*\.[A-Za-z][A-Za-z0-9]{0,7}$|^(?:~?\/|\.{1,2}\/)(?:[\w@.+-]+\/)*[\w@.+-]*$/;
const KNOWN_EXTENSION = /\.(?:ts|tsx|js|jsx|mjs|cjs|py|pyi|rs|go|java|kt|rb|php|c|h|cc|cpp|hpp|cs|json|ya?ml|toml|md|rst|txt|sh|css|scss|html|sql|cfg|ini|lock|vue|svelte|swift|xml|csv|log|patch|diff|bak|backup|orig)$/;
const READERS = new Set(['cat', 'head', 'tail', 'less', 'more', 'nl', 'grep', 'rg', 'wc', 'diff', 'open', 'view', 'search_file', 'ls', 'stat', 'file']);
const RUNNERS = /^(python[\d.]*|node|bash|sh|pytest|ts-node|tsx|deno|ruby|perl|go|cargo|npx|jest|vitest|mocha)$/;

const unquote = (t: string) => t.replace(/^['"]|['"]$/g, '');

/**
 * File effects of one shell command line (its first line: a heredoc's body is
 * content, not commands). `openFile` is the SWE-agent editor's open file, whose
 * `edit N:M` edits it.
 */
export function shellEffects(command: string, openFile?: string): FileEffect[] {
  const lines = command.trim().split('\n');
  const head = lines[0] ?? '';
  const out: FileEffect[] = [];
  const heredocBody = /<<-?\s*['"]?(\w+)['"]?/.test(head) ? lines.slice(1).find((l) => l.trim()) : undefined;
  for (const segment of head.split(/&&|\|\||;|\|/)) {
    const toks = segment.trim().split(/\s+/).filter(Boolean);
    // Redirections write their target (which is then no argument of the command).
    const targets = new Set<number>();
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      const m = /^(\d?>>?|&>)(.*)$/.exec(t);
      if (!m) continue;
      if (!m[2]) targets.add(i + 1);
      const target = unquote(m[2] || toks[i + 1] || '');
      if (target && target !== '/dev/null' && PATHLIKE.test(target)) {
        out.push({ path: target, action: 'created', ...(heredocBody ? { gist: `written from a heredoc starting "${firstLine(heredocBody, 60)}"` } : {}) });
      }
    }
    const words = toks.filter((t, i) => !targets.has(i) && !/^[A-Z_][A-Z0-9_]*=/.test(t) && t !== 'sudo');
    const verb = words[0] ?? '';
    const args = words.slice(1).map(unquote).filter((t) => !t.startsWith('-') && !/^\d?>/.test(t));
    // A path needs a known extension or a slash and an extension ("np.product" is a pattern, "/testbed" a directory).
    const files = args.filter((t) => PATHLIKE.test(t) && !t.startsWith('/dev/') && (KNOWN_EXTENSION.test(t) || /\/[^/]*\.\w+$/.test(t)));
    if (verb === 'cd' || files.length === 0) {
      if (verb === 'edit' && openFile && /^\d+:\d+$/.test(words[1] ?? '')) {
        out.push({ path: openFile, action: 'edited', gist: `lines ${words[1]} replaced${lines[1] ? ` with "${firstLine(lines[1], 60)}"` : ''}` });
      }
      continue;
    }
    if (verb === 'sed' && words.some((w) => /^-i/.test(w) || /^--in-place/.test(w))) {
      // The script as quoted (split on spaces it would be cut at its first space).
      const expr = /(['"])(.+?)\1/.exec(segment)?.[2] ?? args.find((a) => !PATHLIKE.test(a));
      for (const f of files) out.push({ path: f, action: 'edited', ...(expr ? { gist: `sed ${firstLine(expr, 70)}` } : {}) });
    } else if (verb === 'rm' || verb === 'unlink') {
      for (const f of files) out.push({ path: f, action: 'deleted' });
    } else if (verb === 'mv' && files.length >= 2) {
      out.push({ path: files[0]!, action: 'deleted', gist: `moved to ${files[files.length - 1]}` });
      out.push({ path: files[files.length - 1]!, action: 'created', gist: `moved from ${files[0]}` });
    } else if (verb === 'cp' || verb === 'touch' || verb === 'create' || verb === 'tee') {
      const targets = verb === 'cp' ? files.slice(-1) : files;
      for (const f of targets) out.push({ path: f, action: 'created' });
    } else if (verb === 'patch' || verb === 'git' && words[1] === 'apply') {
      for (const f of files) out.push({ path: f, action: 'edited' });
    } else if (RUNNERS.test(verb) || /^\.\/[\w.-]+$/.test(verb)) {
      for (const f of files) out.push({ path: f, action: 'ran' });
    } else if (READERS.has(verb) || verb === 'sed' || verb === 'awk' || verb === 'find' || verb === 'find_file' || verb === 'search_dir') {
      for (const f of files) out.push({ path: f, action: 'read' });
    }
  }
  return out;
}

/** Every file effect of a call: its editor-style arguments and, for a shell call, what the command does. */
export function callEffects(call: ToolCallPart, openFile?: string): FileEffect[] {
  const cmd = commandOf(call);
  return [...toolEffects(call), ...(cmd ? shellEffects(cmd, openFile) : [])];
}

const EXIT_CODE = [
  /<returncode>\s*(-?\d+)\s*<\/returncode>/,
  /\[(?:Command finished with )?exit code[: ]+(-?\d+)\]/i,
  /\b(?:exit(?:ed with)?|return) (?:code|status)[: ]+(-?\d+)/i,
  /\bProcess exited with code (-?\d+)/i,
];

/** The exit code a command's result reports, if it reports one. */
export function exitCodeOf(text: string): number | undefined {
  for (const re of EXIT_CODE) {
    const m = re.exec(text);
    if (m?.[1] !== undefined) return Number(m[1]);
  }
  return undefined;
}

const ERROR_KEY = /\b[A-Z]\w*(?:Error|Exception)\b|^\s*(?:error|fatal|panic|FAIL(?:ED)?)\b|\bfailed\b|command not found|No such file|\d+ (?:failed|passed)/i;
/** Lines of a result that say nothing (wrappers, blank, prompts). */
const NOISE = /^\s*(?:<\/?(?:returncode|output|stdout|stderr)>.*|\[.*exit code.*\]|\(Open file:.*|\(Current directory:.*|bash-\$.*|-+|=+|)\s*$/i;

/** The line of a result worth quoting: its last error-like line, else its last meaningful line. */
export function keyLine(text: string, max = 120): string | undefined {
  const lines = text.split('\n').filter((l) => !NOISE.test(l));
  const pick = [...lines].reverse().find((l) => ERROR_KEY.test(l)) ?? lines[lines.length - 1];
  return pick === undefined ? undefined : firstLine(pick, max);
}
