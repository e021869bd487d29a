/**
 * What recall can give back: every passage of a session's log as a document,
 * whether or not it is still in the context the model sees.
 *
 * What is searched (and why):
 * - every message's text and tool calls (`message`), and every tool result
 *   (`tool_result`, whole and as first written: masking only ever changes the
 *   compaction record, never the message record);
 * - the summaries of compactions (`summary`), the active one and earlier ones
 *   it replaced (an earlier summary may hold a fact a later one dropped);
 * - left out: messages of superseded turns (the person edited or retried that
 *   request: the Chat view no longer shows them, so they are not this
 *   conversation any more), summaries of reverted compactions (the person
 *   undid them), thinking parts (the model's scratchpad, not facts), and
 *   the results of recall itself (copies of passages already searched).
 *
 * `hidden` says the passage is not in the current context verbatim (covered by
 * a summary, a masked result, a summary no longer active): what recall is for.
 */
import { RECALL_TOOL_NAME } from '../constants';
import { activeCompactionAt, revertedIds, supersededIds } from '../context';
import type { MessageRecord, Part, Role, SessionLog } from '../records';
import { argsText } from '../tokens/counter';

export type RecallDocKind = 'message' | 'tool_result' | 'summary';

export interface RecallDoc {
  kind: RecallDocKind;
  text: string;
  /** Not in the current context verbatim. */
  hidden: boolean;
  /** The message it comes from (message, tool_result). */
  messageId?: string;
  role?: Role;
  turn?: number;
  /** Tool results: the call id (what `recall id "…"` names), the tool and its arguments. */
  callId?: string;
  tool?: string;
  args?: string;
  /** Summaries: the compaction that wrote it. */
  compactionId?: string;
}

/** The text of a message as recall shows it: its text parts and its tool calls (`→ name args`). */
export function messageText(parts: readonly Part[]): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p.type === 'text') out.push(p.text);
    else if (p.type === 'tool_call') out.push(`→ ${p.name} ${argsText(p.args)}`);
  }
  return out.join('\n');
}

/** Tool calls of the log by id (all messages, so a result always finds its call). */
export function callsOf(log: SessionLog): Map<string, { name: string; args: string }> {
  const out = new Map<string, { name: string; args: string }>();
  for (const r of log.records) {
    if (r.type !== 'message') continue;
    for (const p of r.parts) if (p.type === 'tool_call') out.set(p.id, { name: p.name, args: argsText(p.args) });
  }
  return out;
}

/** Every searchable passage of the log, oldest first (see the file comment for what is left out). */
export function recallDocuments(log: SessionLog): RecallDoc[] {
  const superseded = supersededIds(log);
  const reverted = revertedIds(log);
  const active = activeCompactionAt(log)?.record;
  const covered = new Set(active?.covered ?? []);
  // Tool results the active compaction shows as stubs: their replaced text differs from the original.
  const replacedText = new Map<string, Map<string, string>>();
  for (const r of active?.replaced ?? []) {
    const byCall = new Map<string, string>();
    for (const p of r.parts) if (p.type === 'tool_result') byCall.set(p.callId, p.text);
    replacedText.set(r.messageId, byCall);
  }
  const calls = callsOf(log);
  const out: RecallDoc[] = [];
  const seenSummaries = new Set<string>();
  for (const r of log.records) {
    if (r.type === 'compaction') {
      if (reverted.has(r.id) || !r.summary || seenSummaries.has(r.summary)) continue;
      seenSummaries.add(r.summary);
      // The active summary is in the context; an earlier one only when the active one kept it word for word.
      out.push({ kind: 'summary', text: r.summary, hidden: r.summary !== active?.summary, compactionId: r.id });
      continue;
    }
    if (r.type !== 'message' || superseded.has(r.id)) continue;
    out.push(...messageDocs(r, covered.has(r.id), replacedText.get(r.id), calls));
  }
  return out;
}

function messageDocs(m: MessageRecord, isCovered: boolean, replaced: Map<string, string> | undefined, calls: ReturnType<typeof callsOf>): RecallDoc[] {
  const out: RecallDoc[] = [];
  const base = { messageId: m.id, role: m.role, ...(m.turn !== undefined ? { turn: m.turn } : {}) };
  const text = messageText(m.parts);
  if (text) out.push({ kind: 'message', text, hidden: isCovered, ...base });
  for (const p of m.parts) {
    if (p.type !== 'tool_result') continue;
    const call = calls.get(p.callId);
    if ((p.name ?? call?.name) === RECALL_TOOL_NAME) continue;
    const shown = replaced?.get(p.callId);
    out.push({
      kind: 'tool_result',
      // The whole output where the model was shown a bounded head and tail of it.
      text: p.fullText ?? p.text,
      hidden: isCovered || (shown !== undefined && shown !== p.text) || p.fullText !== undefined,
      ...base,
      callId: p.callId,
      tool: p.name ?? call?.name ?? 'tool',
      ...(call ? { args: call.args } : {}),
    });
  }
  return out;
}
