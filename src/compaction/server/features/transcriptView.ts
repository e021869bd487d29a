/**
 * Reads a JSONL document as a transcript, line by line, for the language
 * features (transcript.ts). Two kinds are understood:
 *
 * - `compactor`: this extension's own session log (first record a `session`
 *   header). Token counts are the stored ones; the log is never re-tokenized.
 * - `claude-code`: a Claude Code session (`~/.claude/projects/**.jsonl`). Each
 *   `user` / `assistant` line is shown as one message, counted here with the
 *   injected counter (Claude Code stores no per-message counts). Subagent
 *   (`isSidechain`) lines are left out, as the importer leaves them out.
 *
 * Anything else (a JSONL file that is no transcript) reads as `undefined`, and
 * the features then answer with nothing: no hints, no outline, no diagnostics.
 * Recognition looks at the first lines only, so that answer is cheap.
 */
import { detectFormat } from '../../importers';
import { blockToPart, toolResultText } from '../../importers/claudeCode';
import { DEFAULT_WINDOW_TOKENS } from '../../cli/window';
import { type LogRecord, LogRecordSchema, type Part, type Role } from '../../records';
import type { TokenCounter } from '../../types';

export type TranscriptKind = 'compactor' | 'claude-code';

/** Claude models have a 200k window; used for Claude Code files, which do not say. */
export const CLAUDE_WINDOW_TOKENS = 200_000;
/** Non-blank lines looked at to recognise a transcript. */
const SNIFF_LINES = 20;

/** One message as the features show it, whichever kind of file it came from. */
export interface ViewMessage {
  /** The message id (compactor) or the line's `uuid` (Claude Code). */
  id: string;
  role: Role;
  parts: Part[];
  tokens: number;
  /** Counted when the file was read (Claude Code), not stored in the file. */
  counted: boolean;
  /** Compactor logs: covered by a compaction that is not reverted (no longer in the context). */
  compacted: boolean;
  /** Compactor logs: pinned (pins.ts: kept verbatim through compaction). */
  pinned?: boolean;
}

export interface TranscriptLine {
  line: number;
  /** Length of the line in UTF-16 units (LSP's default position encoding). */
  length: number;
  /** Compactor logs: the record of the line. */
  record?: LogRecord;
  message?: ViewMessage;
  /** Why the line is not a valid record (blank lines are skipped, not errors). */
  error?: string;
}

export interface TranscriptView {
  kind: TranscriptKind;
  lines: TranscriptLine[];
  /** The session id (compactor: the header's; Claude Code: `sessionId`). */
  sessionId?: string;
  title?: string;
  /** The model's context window, for thresholds in percent of it. */
  windowTokens: number;
  /** Sum of all message tokens: the denominator of "share of the session". */
  totalTokens: number;
}

function tryJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What kind of transcript the text is, from its first lines; undefined for anything else. */
export function sniffKind(text: string): TranscriptKind | undefined {
  const head: string[] = [];
  let start = 0;
  while (head.length < SNIFF_LINES && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end);
    if (raw.trim() !== '') head.push(raw);
    start = end + 1;
  }
  const first = head.length > 0 ? tryJson(head[0]!) : undefined;
  if (isObj(first) && first.type === 'session' && LogRecordSchema.safeParse(first).success) return 'compactor';
  return detectFormat(head.join('\n')) === 'claude-code' ? 'claude-code' : undefined;
}

/** The text as a transcript, or undefined when it is not one (the features then stay silent). */
export function readTranscript(text: string, counterFor: (modelId: string | undefined) => TokenCounter): TranscriptView | undefined {
  const kind = sniffKind(text);
  if (kind === 'compactor') return readCompactorLog(text);
  if (kind === 'claude-code') return readClaudeCode(text, counterFor);
  return undefined;
}

function eachLine(text: string, visit: (raw: string, line: number) => void): void {
  text.split(/\r?\n/).forEach((raw, line) => {
    if (raw.trim() !== '') visit(raw, line);
  });
}

function finish(view: Omit<TranscriptView, 'totalTokens'>): TranscriptView {
  const totalTokens = view.lines.reduce((sum, l) => sum + (l.message?.tokens ?? 0), 0);
  return { ...view, totalTokens };
}

export function readCompactorLog(text: string): TranscriptView {
  const lines: TranscriptLine[] = [];
  eachLine(text, (raw, line) => {
    const json = tryJson(raw);
    if (json === undefined) {
      lines.push({ line, length: raw.length, error: 'not JSON (a torn line?)' });
      return;
    }
    const parsed = LogRecordSchema.safeParse(json);
    if (parsed.success) lines.push({ line, length: raw.length, record: parsed.data });
    else lines.push({ line, length: raw.length, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ') });
  });
  // Messages covered by a compaction that was not reverted are out of the context.
  const reverted = new Set(lines.flatMap((l) => (l.record?.type === 'revert' ? [l.record.compactionId] : [])));
  const covered = new Set(lines.flatMap((l) => (l.record?.type === 'compaction' && !reverted.has(l.record.id) ? l.record.covered : [])));
  // The newest pin record of a message wins; a pinned message is back in the context even when covered.
  const pinned = new Map<string, boolean>();
  for (const l of lines) if (l.record?.type === 'pin') pinned.set(l.record.messageId, l.record.pinned);
  let header: Extract<LogRecord, { type: 'session' }> | undefined;
  for (const l of lines) {
    const r = l.record;
    if (r?.type === 'session') header ??= r;
    if (r?.type === 'message') {
      const pin = pinned.get(r.id) === true;
      l.message = { id: r.id, role: r.role, parts: r.parts, tokens: r.tokens, counted: false, compacted: covered.has(r.id) && !pin, ...(pin ? { pinned: true } : {}) };
    }
  }
  return finish({
    kind: 'compactor',
    lines,
    ...(header ? { sessionId: header.id } : {}),
    ...(header?.title ? { title: header.title } : {}),
    windowTokens: header?.model?.maxInputTokens ?? DEFAULT_WINDOW_TOKENS,
  });
}

export function readClaudeCode(text: string, counterFor: (modelId: string | undefined) => TokenCounter): TranscriptView {
  const lines: TranscriptLine[] = [];
  const pending: Array<{ l: TranscriptLine; value: Record<string, unknown> }> = [];
  let sessionId: string | undefined;
  let title: string | undefined;
  let model: string | undefined;
  eachLine(text, (raw, line) => {
    const value = tryJson(raw);
    if (value === undefined) {
      lines.push({ line, length: raw.length, error: 'not JSON (a torn line?)' });
      return;
    }
    if (!isObj(value)) return;
    if (value.type === 'summary' && typeof value.summary === 'string') title ??= value.summary;
    if (value.type !== 'user' && value.type !== 'assistant') return; // bookkeeping records
    if (value.isSidechain === true) return; // a subagent's own conversation, never in the main context (as the importer)
    if (typeof value.sessionId === 'string') sessionId ??= value.sessionId;
    const message = value.message;
    if (isObj(message) && typeof message.model === 'string' && message.model !== '<synthetic>') model ??= message.model;
    const l: TranscriptLine = { line, length: raw.length };
    lines.push(l);
    pending.push({ l, value });
  });
  const counter = counterFor(model);
  const callNames = new Map<string, string>();
  for (const { l, value } of pending) {
    const m = claudeCodeMessage(value, callNames);
    if (m) l.message = { ...m, tokens: counter.countParts(m.parts), counted: true, compacted: false };
  }
  return finish({
    kind: 'claude-code',
    lines,
    ...(sessionId ? { sessionId } : {}),
    ...(title ? { title } : {}),
    windowTokens: model?.startsWith('claude') ? CLAUDE_WINDOW_TOKENS : DEFAULT_WINDOW_TOKENS,
  });
}

/** A `user` / `assistant` line as one message: a user line that only returns tool results is a `tool` message. */
function claudeCodeMessage(value: Record<string, unknown>, callNames: Map<string, string>): { id: string; role: Role; parts: Part[] } | undefined {
  const message = value.message;
  if (!isObj(message)) return undefined;
  const content = message.content;
  const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content.filter(isObj) : [];
  const parts: Part[] = [];
  let results = 0;
  for (const block of blocks) {
    if (typeof block.type !== 'string') continue;
    if (block.type === 'tool_result') {
      results++;
      const callId = String(block.tool_use_id ?? '');
      const name = callNames.get(callId);
      parts.push({ type: 'tool_result', callId, text: toolResultText(block.content), ...(name ? { name } : {}) });
    } else {
      const part = blockToPart(block as Record<string, unknown> & { type: string });
      if (part?.type === 'tool_call') callNames.set(part.id, part.name);
      if (part) parts.push(part);
    }
  }
  const role: Role = value.type === 'assistant' ? 'assistant' : results > 0 && results === parts.length ? 'tool' : 'user';
  return { id: typeof value.uuid === 'string' ? value.uuid : '', role, parts };
}
