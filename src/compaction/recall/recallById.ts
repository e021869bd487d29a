/**
 * Recall by id: the exact original text of a tool result, by the call id its
 * mask stub names (`recall id "<callId>"`), or of a message, by the message id
 * a search hit names. Read from the message records, which masking never
 * changes, so the text is byte for byte what the tool returned (the whole
 * output, `fullText`, where the model was shown a bounded head and tail).
 */
import { RECALL_ID_MAX_CHARS, RECALL_TOOL_NAME } from '../constants';
import { supersededIds } from '../context';
import type { Role, SessionLog } from '../records';
import { callsOf, messageText } from './documents';

export type RecallByIdResult =
  | {
      status: 'found';
      kind: 'tool_result' | 'message';
      id: string;
      messageId: string;
      role: Role;
      turn?: number;
      tool?: string;
      args?: string;
      isError?: boolean;
      /** The whole original text. */
      text: string;
      /** The message belongs to a turn the person edited or retried (superseded). */
      superseded: boolean;
    }
  | { status: 'unknown'; id: string; message: string };

export function recallById(log: SessionLog, rawId: string): RecallByIdResult {
  const id = normalizeId(rawId);
  const superseded = supersededIds(log);
  let fallback: RecallByIdResult | undefined;
  const calls = callsOf(log);
  for (const r of log.records) {
    if (r.type !== 'message') continue;
    const base = { messageId: r.id, role: r.role, ...(r.turn !== undefined ? { turn: r.turn } : {}), superseded: superseded.has(r.id) };
    let found: RecallByIdResult | undefined;
    for (const p of r.parts) {
      if (p.type !== 'tool_result' || p.callId !== id) continue;
      const call = calls.get(p.callId);
      found = {
        status: 'found', kind: 'tool_result', id, ...base, text: p.fullText ?? p.text,
        tool: p.name ?? call?.name ?? 'tool', ...(call ? { args: call.args } : {}), ...(p.isError ? { isError: true } : {}),
      };
    }
    if (!found && r.id === id) found = { status: 'found', kind: 'message', id, ...base, text: messageText(r.parts) };
    if (!found) continue;
    // A result of the conversation as it stands wins over one of a superseded turn (an id reused after a retry).
    if (!base.superseded) return found;
    fallback ??= found;
  }
  return fallback ?? {
    status: 'unknown',
    id,
    message:
      `No tool result or message with id ${JSON.stringify(id)} in this session. ` +
      `Use the id exactly as a stub writes it (recall id "…"), or search instead: ${RECALL_TOOL_NAME} with {"query": "words from what you need"}.`,
  };
}

/** The id as the model may write it: `recall id "x"`, `"x"` or x. */
function normalizeId(raw: string): string {
  const t = raw.trim().replace(/^recall id\s+/i, '');
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // Not a JSON string: the quotes are part of the id.
    }
  }
  return t;
}

/** The answer for the model: a header line, then the text exactly (cut only past RECALL_ID_MAX_CHARS, with a note). */
export function formatRecallById(r: RecallByIdResult, maxChars = RECALL_ID_MAX_CHARS): string {
  if (r.status === 'unknown') return r.message;
  const where = [`message ${r.messageId}`, r.turn !== undefined ? `turn ${r.turn}` : undefined, r.superseded ? 'from a superseded turn' : undefined]
    .filter(Boolean)
    .join(', ');
  const what = r.kind === 'tool_result'
    ? `Tool result of ${r.tool ?? 'tool'}${r.args ? ` ${r.args}` : ''}${r.isError ? ' (error)' : ''}`
    : `${r.role} message`;
  const header = `${what} (recall id ${JSON.stringify(r.id)}, ${where}); the original text follows exactly:`;
  if (r.text.length <= maxChars) return `${header}\n${r.text}`;
  return `${header}\n${r.text.slice(0, maxChars)}\n[cut: ${maxChars.toLocaleString('en-US')} of ${r.text.length.toLocaleString('en-US')} characters shown; ` +
    `search with ${RECALL_TOOL_NAME} {"query": …} to find a later passage]`;
}
