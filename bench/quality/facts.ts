/**
 * "Facts" for the coverage metric: strings a coding agent needs to keep
 * working, found with regexes over message text. The kinds, and why:
 *
 * - path: a file path with a directory and an extension (`src/app/page.tsx`,
 *   `/testbed/astropy/io/ascii/rst.py`) or a bare file name with a common source
 *   extension (`numpy_handler.py`).
 * - error: an exception / error class name (`UnicodeEncodeError`) and the first
 *   160 characters of a line that starts an error report (`TypeError: ...`,
 *   `error: ...`, `FAILED ...`, `Traceback ...`).
 * - command: the first line (≤ 160 chars) of a shell command the agent ran
 *   (tool-call arguments `command`/`cmd`/`code`), and lines starting with `$ `.
 * - identifier: snake_case, camelCase and PascalCase names of at least two
 *   words and 6 characters (`pixel_array`, `useTodos`, `PixelRepresentation`).
 *
 * Everything is matched verbatim: a fact survives compaction only if the exact
 * string appears somewhere in the compacted context (text, thinking, tool
 * results, tool-call names and argument values, summaries).
 */
import type { Part } from '../../src/compaction/records';

export type FactKind = 'path' | 'error' | 'command' | 'identifier';

const PATH = /(?:~|\.{1,2})?\/?(?:[\w@.-]+\/)+[\w@-]+(?:\.[\w-]+)*\.[A-Za-z]\w{0,7}\b/g;
const BARE_FILE = /\b[\w-]+\.(?:py|ts|tsx|js|jsx|mjs|cjs|json|md|rs|go|java|rb|c|h|cc|cpp|hpp|sql|ya?ml|toml|css|scss|html|sh|txt|cfg|ini|lock)\b/g;
const ERROR_NAME = /\b[A-Z][A-Za-z]*(?:Error|Exception)\b/g;
const ERROR_LINE = /^\s*(?:[A-Z][A-Za-z.]*(?:Error|Exception)\b.*|error(?:\[\w+\])?:.*|FAILED\b.*|Traceback \(most recent call last\).*)$/gim;
const SNAKE = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g;
const CAMEL = /\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+\b/g;
const PASCAL = /\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+\b/g;
const SHELL_LINE = /^\$ (.+)$/gm;

const MIN_IDENTIFIER_CHARS = 6;
const MAX_LINE_CHARS = 160;

export interface Fact {
  kind: FactKind;
  text: string;
}

function add(out: Map<string, FactKind>, kind: FactKind, text: string): void {
  const t = text.trim().slice(0, MAX_LINE_CHARS).trim();
  if (t.length < 3) return;
  if (!out.has(t)) out.set(t, kind);
}

function scanText(text: string, out: Map<string, FactKind>): void {
  for (const m of text.matchAll(PATH)) add(out, 'path', m[0]);
  for (const m of text.matchAll(BARE_FILE)) add(out, 'path', m[0]);
  for (const m of text.matchAll(ERROR_NAME)) add(out, 'error', m[0]);
  for (const m of text.matchAll(ERROR_LINE)) add(out, 'error', m[0]);
  for (const m of text.matchAll(SHELL_LINE)) add(out, 'command', m[1] ?? '');
  for (const re of [SNAKE, CAMEL, PASCAL]) {
    for (const m of text.matchAll(re)) if (m[0].length >= MIN_IDENTIFIER_CHARS) add(out, 'identifier', m[0]);
  }
}

/** String values of tool arguments, recursively (what a person would read). */
export function argStrings(args: unknown): string[] {
  if (typeof args === 'string') return [args];
  if (Array.isArray(args)) return args.flatMap(argStrings);
  if (args && typeof args === 'object') return Object.values(args).flatMap(argStrings);
  return [];
}

/** The facts in one message's parts. */
export function factsOfParts(parts: readonly Part[]): Map<string, FactKind> {
  const out = new Map<string, FactKind>();
  for (const p of parts) {
    if (p.type === 'text' || p.type === 'thinking') scanText(p.text, out);
    else if (p.type === 'tool_result') scanText(p.text, out);
    else if (p.type === 'tool_call') {
      const args = typeof p.args === 'string' ? { command: p.args } : p.args;
      for (const key of ['command', 'cmd', 'code']) {
        const v = args[key];
        if (typeof v === 'string') add(out, 'command', v.split('\n')[0] ?? '');
      }
      for (const s of argStrings(args)) scanText(s, out);
    }
  }
  return out;
}

/** Everything in a context a fact can survive in, as one searchable string. */
export function haystackOf(parts: readonly Part[]): string {
  const chunks: string[] = [];
  for (const p of parts) {
    if (p.type === 'text' || p.type === 'thinking') chunks.push(p.text);
    else if (p.type === 'tool_result') chunks.push(p.text, p.name ?? '');
    else if (p.type === 'tool_call') chunks.push(p.name, ...argStrings(p.args), typeof p.args === 'string' ? p.args : JSON.stringify(p.args));
  }
  return chunks.join('\n');
}
