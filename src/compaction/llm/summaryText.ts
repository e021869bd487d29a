/**
 * What the model answered, checked and cleaned: the `<analysis>` scratchpad is
 * stripped, the `<summary>` body kept, and answers that are not a summary
 * (empty, an API error echoed as text) are named so the pipeline rejects them.
 * Every summary we store starts with SUMMARY_MARKER, then the line saying
 * earlier details can be recalled (RECALL_SUMMARY_NOTE: added here, not asked
 * of the model, so it is always there and always the same).
 */
import { RECALL_SUMMARY_NOTE } from '../constants';
import { SUMMARY_MARKER } from './llmConstants';

export type SummaryCheck = { ok: true; text: string } | { ok: false; problem: 'empty' | 'error_text'; detail: string };

/** The summary without the analysis scratchpad: the `<summary>` body when there is one, else the text minus `<analysis>…</analysis>`. */
export function stripAnalysis(raw: string): string {
  const summary = /<summary>([\s\S]*?)(?:<\/summary>|$)/i.exec(raw);
  if (summary) return (summary[1] ?? '').trim();
  let text = raw.replace(/<analysis>[\s\S]*?<\/analysis>/gi, '');
  // An unclosed scratchpad (the answer ran out of tokens): nothing after it is a summary.
  const open = text.search(/<analysis>/i);
  if (open >= 0) text = text.slice(0, open);
  return text.trim();
}

/** True when the text is an API error rather than a summary ("Error: …", "API Error …", a JSON error object). */
export function isErrorText(text: string): boolean {
  const t = text.trim();
  if (/^(api\s+error|error\s*:|error\s+\d{3}\b)/i.test(t)) return true;
  if (t.startsWith('{') && t.endsWith('}')) {
    try {
      const parsed = JSON.parse(t) as unknown;
      return typeof parsed === 'object' && parsed !== null && ('error' in parsed || (parsed as { type?: unknown }).type === 'error');
    } catch {
      return false;
    }
  }
  return false;
}

/** Cleans the model's answer and says whether it is a usable summary. */
export function checkSummary(raw: string): SummaryCheck {
  if (isErrorText(raw)) return { ok: false, problem: 'error_text', detail: firstLine(raw) };
  const text = stripMarker(stripAnalysis(raw));
  if (text === '') return { ok: false, problem: 'empty', detail: raw.trim() === '' ? 'the model returned no text' : 'the model returned only its analysis, no summary' };
  if (isErrorText(text)) return { ok: false, problem: 'error_text', detail: firstLine(text) };
  return { ok: true, text };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export function withMarker(summary: string): string {
  return `${SUMMARY_MARKER}\n${RECALL_SUMMARY_NOTE}\n${summary}`;
}

export function hasMarker(text: string): boolean {
  return text.trimStart().startsWith(SUMMARY_MARKER);
}

/** The summary without our marker (a previous summary handed to the model to update). */
export function stripMarker(text: string): string {
  const t = text.trimStart();
  const body = t.startsWith(SUMMARY_MARKER) ? t.slice(SUMMARY_MARKER.length).trim() : text.trim();
  // The recall note is ours too: an updated summary gets it again from withMarker, never twice.
  return body.startsWith(RECALL_SUMMARY_NOTE) ? body.slice(RECALL_SUMMARY_NOTE.length).trim() : body;
}
