/**
 * Language features for transcripts (a `TranscriptView`, transcriptView.ts):
 * token counts per message as inlay hints, an outline, a hover per message,
 * "Compact up to / from here" code lenses on this extension's own session
 * logs, and warnings for huge tool results. Pure (plain LSP-shaped objects, no
 * connection), so it is tested without a process.
 */
import { COMPACT_PARTIAL_COMMAND, type CompactPartialArgs, PIN_MESSAGE_COMMAND, type PinMessageArgs, type TranscriptOptions, UNPIN_MESSAGE_COMMAND } from '../../protocol';
import type { Part } from '../../records';
import type { TranscriptLine, TranscriptView, ViewMessage } from './transcriptView';

export type { TranscriptLine, TranscriptView } from './transcriptView';

export const DEFAULT_TRANSCRIPT_OPTIONS: TranscriptOptions = { largeToolResultPercent: 10 };

interface Position {
  line: number;
  character: number;
}
interface Range {
  start: Position;
  end: Position;
}
const rangeOf = (l: TranscriptLine): Range => ({ start: { line: l.line, character: 0 }, end: { line: l.line, character: l.length } });
const fmt = (n: number) => n.toLocaleString('en-US');

export interface InlayHintLike {
  position: Position;
  label: string;
  paddingRight: boolean;
}

/**
 * `1,234 tok` (stored) or `~1,234 tok` (counted on reading) at the start of
 * each message line within [startLine, endLine]. The start, not the end: JSONL
 * lines run far past the window, often past what the editor renders at all.
 */
export function inlayHints(view: TranscriptView, startLine = 0, endLine = Number.MAX_SAFE_INTEGER): InlayHintLike[] {
  const out: InlayHintLike[] = [];
  for (const l of view.lines) {
    if (!l.message || l.line < startLine || l.line > endLine) continue;
    out.push({ position: { line: l.line, character: 0 }, label: `${l.message.counted ? '~' : ''}${fmt(l.message.tokens)} tok`, paddingRight: true });
  }
  return out;
}

export interface SymbolLike {
  name: string;
  detail: string;
  /** LSP SymbolKind: 24 Event (message), 19 Object (compaction), 2 Module (session), 25 Operator (revert/rewind). */
  kind: 2 | 19 | 24 | 25;
  range: Range;
  selectionRange: Range;
}

function preview(m: ViewMessage): string {
  for (const p of m.parts) {
    if (p.type === 'text' && p.text.trim()) return p.text.trim().replace(/\s+/g, ' ').slice(0, 60);
    if (p.type === 'tool_call') return `${p.name}(…)`;
    if (p.type === 'tool_result') return `${p.name ?? 'tool'} result`;
  }
  return m.parts[0]?.type ?? '(empty)';
}

export function documentSymbols(view: TranscriptView): SymbolLike[] {
  const out: SymbolLike[] = [];
  if (view.kind === 'claude-code') {
    const first = view.lines[0];
    if (first) out.push({ name: view.title ?? `Claude Code session ${view.sessionId ?? ''}`.trim(), detail: `${fmt(view.totalTokens)} tokens`, kind: 2, range: rangeOf(first), selectionRange: rangeOf(first) });
  }
  for (const l of view.lines) {
    const range = rangeOf(l);
    const at = (name: string, detail: string, kind: SymbolLike['kind']) => out.push({ name, detail, kind, range, selectionRange: range });
    const r = l.record;
    if (l.message) at(`${l.message.role}: ${preview(l.message)}`, `${l.message.tokens} tokens${l.message.compacted ? ', compacted' : ''}`, 24);
    else if (r?.type === 'session') at(r.title ?? `session ${r.id}`, r.model?.id ?? '', 2);
    else if (r?.type === 'compaction') at(`compaction (${r.source}, ${r.strategy})`, `${r.before.tokens} → ${r.after.tokens} tokens`, 19);
    else if (r) at(r.type, '', 25);
  }
  return out;
}

export interface HoverLike {
  contents: { kind: 'markdown'; value: string };
  range: Range;
}

function partSummary(parts: readonly Part[]): string {
  const counts = new Map<string, number>();
  for (const p of parts) counts.set(p.type, (counts.get(p.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => (n > 1 ? `${n}× ${type}` : type)).join(', ') || 'none';
}

/** Role, parts, tool names, tokens and share of the session for the message on `line`; undefined elsewhere. */
export function hover(view: TranscriptView, line: number): HoverLike | undefined {
  const l = view.lines.find((x) => x.line === line);
  const m = l?.message;
  if (!l || !m) return undefined;
  const tools = [...new Set(m.parts.flatMap((p) => (p.type === 'tool_call' ? [p.name] : p.type === 'tool_result' ? [p.name ?? 'tool'] : [])))];
  const share = view.totalTokens > 0 ? (100 * m.tokens) / view.totalTokens : 0;
  const rows = [
    `**${m.role}** message${m.id ? ` \`${m.id}\`` : ''}${m.compacted ? ' (compacted: no longer in the context)' : ''}`,
    '',
    `- parts: ${partSummary(m.parts)}`,
    ...(tools.length > 0 ? [`- tool${tools.length > 1 ? 's' : ''}: ${tools.map((t) => `\`${t}\``).join(', ')}`] : []),
    `- tokens: ${fmt(m.tokens)}${m.counted ? ' (counted on opening)' : ''}`,
    `- share of the session: ${share.toFixed(1)}% of ${fmt(view.totalTokens)} tokens`,
  ];
  return { contents: { kind: 'markdown', value: rows.join('\n') }, range: rangeOf(l) };
}

export interface CodeLensLike {
  range: Range;
  command: { title: string; command: string; arguments: [CompactPartialArgs] | [PinMessageArgs] };
}

/**
 * "Compact up to here" / "Compact from here" above each message still in the
 * context, on this extension's own logs only (a Claude Code file is not a
 * session it can compact); and "Pin" (or "Unpinned: unpin") above every
 * message, compacted ones too (a pin brings a covered message back).
 */
export function codeLenses(view: TranscriptView): CodeLensLike[] {
  const sessionId = view.sessionId;
  if (view.kind !== 'compactor' || !sessionId) return [];
  const out: CodeLensLike[] = [];
  for (const l of view.lines) {
    const m = l.message;
    if (!m) continue;
    const range = { start: { line: l.line, character: 0 }, end: { line: l.line, character: 0 } };
    out.push({
      range,
      command: m.pinned
        ? { title: '$(pinned) Pinned: unpin', command: UNPIN_MESSAGE_COMMAND, arguments: [{ sessionId, messageId: m.id, origin: 'transcript' }] }
        : { title: '$(pin) Pin', command: PIN_MESSAGE_COMMAND, arguments: [{ sessionId, messageId: m.id, origin: 'transcript' }] },
    });
    if (m.compacted) continue;
    for (const side of ['upto', 'from'] as const) {
      out.push({
        range,
        command: {
          title: side === 'upto' ? 'Compact up to here' : 'Compact from here',
          command: COMPACT_PARTIAL_COMMAND,
          arguments: [{ sessionId, messageId: m.id, side }],
        },
      });
    }
  }
  return out;
}

export interface DiagnosticLike {
  range: Range;
  /** LSP DiagnosticSeverity: 1 Error, 2 Warning. */
  severity: 1 | 2;
  message: string;
  source: 'compactor';
}

/** Torn lines and records that do not parse (errors); tool results above `largeToolResultPercent` of the window (warnings). */
export function diagnostics(view: TranscriptView, options: TranscriptOptions = DEFAULT_TRANSCRIPT_OPTIONS): DiagnosticLike[] {
  const threshold = Math.floor((view.windowTokens * options.largeToolResultPercent) / 100);
  const out: DiagnosticLike[] = [];
  for (const l of view.lines) {
    const range = rangeOf(l);
    if (l.error !== undefined) {
      out.push({ range, severity: 1, message: `Not a session record: ${l.error}`, source: 'compactor' });
      continue;
    }
    const m = l.message;
    if (!m || !m.parts.some((p) => p.type === 'tool_result') || m.tokens <= threshold) continue;
    const share = ((100 * m.tokens) / view.windowTokens).toFixed(1);
    out.push({
      range,
      severity: 2,
      message: `Tool result of ${fmt(m.tokens)} tokens (${share}% of the ${fmt(view.windowTokens)}-token window, over ${options.largeToolResultPercent}%): masking or compacting it frees the most context.`,
      source: 'compactor',
    });
  }
  return out;
}
