/**
 * Finding and listing pins for the person (chat `/pin`, the Context view, the
 * transcript lenses); the rules of what a pin keeps are in pins.ts.
 */
import { messagesOf } from './context';
import type { MessageRecord, PinRecord, SessionLog } from './records';

/** One pin as the Context view and the chat list it. */
export interface PinInfo {
  messageId: string;
  role: MessageRecord['role'];
  /** The message's stored tokens (what the pin costs in every context). */
  tokens: number;
  /** The start of its text, one line. */
  preview: string;
  /** When it was pinned (ISO 8601). */
  pinnedAt: string;
  quote?: string;
}

const PREVIEW_MAX_CHARS = 80;

/** The first text of a message on one line (tool calls and results named). */
export function previewOf(m: Pick<MessageRecord, 'parts'>, maxChars = PREVIEW_MAX_CHARS): string {
  for (const p of m.parts) {
    const text = p.type === 'text' ? p.text : p.type === 'tool_call' ? `${p.name}(…)` : p.type === 'tool_result' ? `${p.name ?? 'tool'} result: ${p.text}` : '';
    const line = text.trim().replace(/\s+/g, ' ');
    if (line) return line.length <= maxChars ? line : `${line.slice(0, maxChars - 1)}…`;
  }
  return '(no text)';
}

/** The pins of a session, oldest message first. */
export function pinsOf(log: SessionLog): PinInfo[] {
  const latest = new Map<string, PinRecord>();
  for (const r of log.records) if (r.type === 'pin') latest.set(r.messageId, r);
  const out: PinInfo[] = [];
  for (const m of messagesOf(log)) {
    const r = latest.get(m.id);
    if (!r?.pinned) continue;
    out.push({ messageId: m.id, role: m.role, tokens: m.tokens, preview: previewOf(m), pinnedAt: r.at, ...(r.quote ? { quote: r.quote } : {}) });
  }
  return out;
}

const normalize = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

/** Every text a message shows: its text parts, thinking excluded, tool results included. */
function searchableText(m: MessageRecord): string {
  return m.parts.map((p) => (p.type === 'text' ? p.text : p.type === 'tool_result' ? p.text : '')).join('\n');
}

/**
 * The newest message containing `quote` (whitespace and case insensitive), so
 * `/pin "exact text"` pins the message that holds the passage; undefined when
 * none does. Pinning a passage pins its whole message: the unit compaction
 * keeps or folds away is a message.
 */
export function findMessageByQuote(log: SessionLog, quote: string): MessageRecord | undefined {
  const needle = normalize(quote);
  if (!needle) return undefined;
  const messages = messagesOf(log);
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (normalize(searchableText(m)).includes(needle)) return m;
  }
  return undefined;
}

/** The newest assistant message with text (what `/pin` with no passage pins). */
export function lastReply(log: SessionLog): MessageRecord | undefined {
  const messages = messagesOf(log);
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'assistant' && m.parts.some((p) => p.type === 'text' && p.text.trim())) return m;
  }
  return undefined;
}
