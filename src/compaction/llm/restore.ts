/**
 * Tier 3, restore: after a summary, the files the session read most recently
 * (that still exist) and its plan/todo state are re-attached, so the model
 * does not have to read them again (docs/architecture.md: 5 files, 5,000 tokens each,
 * 50,000 total).
 *
 * Paths come from read-like tool calls of the summarized messages, newest
 * first; a file also read in the kept tail is skipped (it is there verbatim),
 * and so is a call whose result was an error. Files are read through the
 * injected FileReader, which decides what exists and what may be read.
 */
import type { Attachment, MessageRecord, ToolCallPart } from '../records';
import { argsText } from '../tokens/counter';
import type { TokenCounter } from '../types';
import { RESTORE_FILE_MAX_TOKENS, RESTORE_MAX_FILES, RESTORE_TODO_MAX_TOKENS, RESTORE_TOTAL_MAX_TOKENS } from './llmConstants';
import type { FileReader } from './summarizer';

const READ_LIKE = /read|view|cat\b|open|get_?file/i;
const TODO_LIKE = /todo|plan/i;
const PATH_KEYS = ['path', 'filePath', 'file_path', 'file', 'filename', 'target_file', 'absolutePath', 'uri'];

export interface RestoreLimits {
  maxFiles: number;
  fileMaxTokens: number;
  totalMaxTokens: number;
}

export const DEFAULT_RESTORE_LIMITS: RestoreLimits = {
  maxFiles: RESTORE_MAX_FILES,
  fileMaxTokens: RESTORE_FILE_MAX_TOKENS,
  totalMaxTokens: RESTORE_TOTAL_MAX_TOKENS,
};

function pathOf(call: ToolCallPart): string | undefined {
  if (!READ_LIKE.test(call.name) || typeof call.args !== 'object') return undefined;
  for (const key of PATH_KEYS) {
    const v = call.args[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/** Paths read by successful read-like calls, newest first, each once. */
export function readPaths(messages: readonly MessageRecord[]): string[] {
  const failed = new Set<string>();
  for (const m of messages) for (const p of m.parts) if (p.type === 'tool_result' && p.isError) failed.add(p.callId);
  const out: string[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const parts = messages[i]?.parts ?? [];
    for (let j = parts.length - 1; j >= 0; j--) {
      const p = parts[j];
      if (p?.type !== 'tool_call' || failed.has(p.id)) continue;
      const path = pathOf(p);
      if (path !== undefined && !out.includes(path)) out.push(path);
    }
  }
  return out;
}

/** The head of `text` within `maxTokens` (code reads top-down), marked when cut. */
export function headWithin(text: string, maxTokens: number, counter: TokenCounter): string {
  const tokens = counter.countText(text);
  if (tokens <= maxTokens) return text;
  const note = (n: number) => `\n[… cut to the first ${n.toLocaleString('en-US')} characters of ${text.length.toLocaleString('en-US')} to fit the restore budget …]`;
  let chars = Math.floor((text.length * maxTokens) / tokens);
  for (let guard = 0; guard < 20 && chars > 0; guard++) {
    const cut = text.slice(0, chars) + note(chars);
    const cutTokens = counter.countText(cut);
    if (cutTokens <= maxTokens) return cut;
    chars = Math.min(chars - 1, Math.floor((chars * maxTokens) / cutTokens));
  }
  return '';
}

const attachmentTokens = (text: string, counter: TokenCounter) => counter.countParts([{ type: 'text', text }]);

/**
 * Re-reads the paths (newest first) and builds attachments within the limits
 * and within `roomTokens` (what the target leaves). Files that no longer
 * exist, or fail to read, are skipped.
 */
export async function restoreFiles(
  paths: readonly string[],
  reader: FileReader,
  counter: TokenCounter,
  roomTokens: number,
  limits: RestoreLimits = DEFAULT_RESTORE_LIMITS,
): Promise<Attachment[]> {
  const out: Attachment[] = [];
  let left = Math.min(limits.totalMaxTokens, Math.max(0, roomTokens));
  for (const path of paths) {
    if (out.length >= limits.maxFiles || left <= 0) break;
    let content: string | undefined;
    try {
      content = await reader.read(path);
    } catch {
      content = undefined;
    }
    if (content === undefined) continue;
    const header = `[File re-attached after compaction: ${path} (current content)]\n`;
    const overhead = attachmentTokens(header, counter);
    // A file is cut to its own limit, never to the leftover budget: a few lines of a file help less than the next file whole.
    const body = headWithin(content, limits.fileMaxTokens - overhead, counter);
    if (body === '' && content !== '') continue;
    const text = header + body;
    const tokens = attachmentTokens(text, counter);
    if (tokens > left) continue;
    out.push({ path, text, tokens });
    left -= tokens;
  }
  return out;
}

/**
 * The latest plan/todo-list tool call of the summarized messages, as an
 * attachment; none when the kept tail has a newer one (it is there verbatim).
 */
export function todoAttachment(summarized: readonly MessageRecord[], tail: readonly MessageRecord[], counter: TokenCounter): Attachment | undefined {
  const isTodo = (m: MessageRecord) => m.parts.some((p) => p.type === 'tool_call' && TODO_LIKE.test(p.name));
  if (tail.some(isTodo)) return undefined;
  for (let i = summarized.length - 1; i >= 0; i--) {
    const parts = summarized[i]?.parts ?? [];
    const call = [...parts].reverse().find((p): p is ToolCallPart => p.type === 'tool_call' && TODO_LIKE.test(p.name));
    if (!call) continue;
    const header = `[Plan / todo list as of the compaction (last ${call.name} call)]\n`;
    const text = header + headWithin(argsText(call.args), RESTORE_TODO_MAX_TOKENS, counter);
    return { path: `(todo: ${call.name})`, text, tokens: attachmentTokens(text, counter) };
  }
  return undefined;
}
