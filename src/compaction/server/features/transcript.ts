/**
 * Language features for session logs (JSONL, one record a line), computed
 * from the text alone: token counts per message as inlay hints, an outline of
 * messages and compactions, and warnings for huge tool results. Pure (plain
 * LSP-shaped objects, no connection), so it is tested without a process.
 *
 * Counts shown are the stored ones (`tokens` of a message record): the log is
 * never re-tokenized to display it.
 */
import { MessageRecordSchema, type LogRecord, LogRecordSchema, type MessageRecord } from '../../records';

/** A tool result above this many stored tokens gets a warning: it is what masking or a summary would save most on. */
export const HUGE_TOOL_RESULT_TOKENS = 10_000;

export interface TranscriptLine {
  line: number;
  /** Length of the line in UTF-16 units (LSP's default position encoding). */
  length: number;
  record?: LogRecord;
  /** Why the line is not a valid record (blank lines are skipped, not errors). */
  error?: string;
}

export function parseTranscript(text: string): TranscriptLine[] {
  const out: TranscriptLine[] = [];
  text.split(/\r?\n/).forEach((raw, line) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      out.push({ line, length: raw.length, error: `not JSON: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    const parsed = LogRecordSchema.safeParse(json);
    if (parsed.success) out.push({ line, length: raw.length, record: parsed.data });
    else out.push({ line, length: raw.length, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ') });
  });
  return out;
}

const isMessage = (r: LogRecord | undefined): r is MessageRecord => r?.type === 'message';

export interface InlayHintLike {
  position: { line: number; character: number };
  label: string;
  paddingLeft: boolean;
}

/** `  1,234 tok` at the end of each message line within [startLine, endLine]. */
export function inlayHints(lines: readonly TranscriptLine[], startLine = 0, endLine = Number.MAX_SAFE_INTEGER): InlayHintLike[] {
  return lines
    .filter((l) => l.line >= startLine && l.line <= endLine && isMessage(l.record))
    .map((l) => ({
      position: { line: l.line, character: l.length },
      label: `${(l.record as MessageRecord).tokens.toLocaleString('en-US')} tok`,
      paddingLeft: true,
    }));
}

export interface SymbolLike {
  name: string;
  detail: string;
  /** LSP SymbolKind: 24 Event (message), 19 Object (compaction), 2 Module (session), 25 Operator (revert/rewind). */
  kind: 2 | 19 | 24 | 25;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  selectionRange: { start: { line: number; character: number }; end: { line: number; character: number } };
}

function preview(m: MessageRecord): string {
  for (const p of m.parts) {
    if (p.type === 'text' && p.text.trim()) return p.text.trim().replace(/\s+/g, ' ').slice(0, 60);
    if (p.type === 'tool_call') return `${p.name}(…)`;
    if (p.type === 'tool_result') return `${p.name ?? 'tool'} result`;
  }
  return m.parts[0]?.type ?? '(empty)';
}

export function documentSymbols(lines: readonly TranscriptLine[]): SymbolLike[] {
  const out: SymbolLike[] = [];
  for (const l of lines) {
    const r = l.record;
    if (!r) continue;
    const range = { start: { line: l.line, character: 0 }, end: { line: l.line, character: l.length } };
    const at = (name: string, detail: string, kind: SymbolLike['kind']) => out.push({ name, detail, kind, range, selectionRange: range });
    if (r.type === 'session') at(r.title ?? `session ${r.id}`, r.model?.id ?? '', 2);
    else if (r.type === 'message') at(`${r.role}: ${preview(r)}`, `${r.tokens} tokens`, 24);
    else if (r.type === 'compaction') at(`compaction (${r.source}, ${r.strategy})`, `${r.before.tokens} → ${r.after.tokens} tokens`, 19);
    else at(r.type, '', 25);
  }
  return out;
}

export interface DiagnosticLike {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  /** LSP DiagnosticSeverity: 1 Error, 2 Warning. */
  severity: 1 | 2;
  message: string;
  source: 'compactor';
}

/** Lines that are not records (errors) and tool results above HUGE_TOOL_RESULT_TOKENS (warnings). */
export function diagnostics(lines: readonly TranscriptLine[], hugeToolResultTokens = HUGE_TOOL_RESULT_TOKENS): DiagnosticLike[] {
  const out: DiagnosticLike[] = [];
  for (const l of lines) {
    const range = { start: { line: l.line, character: 0 }, end: { line: l.line, character: l.length } };
    if (l.error !== undefined) {
      out.push({ range, severity: 1, message: `Not a session record: ${l.error}`, source: 'compactor' });
      continue;
    }
    const m = MessageRecordSchema.safeParse(l.record);
    if (!m.success || !m.data.parts.some((p) => p.type === 'tool_result')) continue;
    if (m.data.tokens > hugeToolResultTokens) {
      out.push({
        range,
        severity: 2,
        message: `Tool result of ${m.data.tokens.toLocaleString('en-US')} tokens (over ${hugeToolResultTokens.toLocaleString('en-US')}): masking or compacting it frees the most context.`,
        source: 'compactor',
      });
    }
  }
  return out;
}
