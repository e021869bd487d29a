/**
 * The recall tool's input (the one typed, validated place for it) and the one
 * entry point the extension host and the server call: input in, the answer
 * text for the model out (bounded), or a clear error.
 */
import * as z from 'zod';
import { RECALL_MAX_LIMIT, RECALL_TOOL_NAME } from '../constants';
import type { SessionLog } from '../records';
import { NO_SLICING, type TimeSlicer } from '../timeSlicer';
import { formatRecallById, recallById } from './recallById';
import { formatSearch, searchSessionInSlices } from './search';

export const RecallInputSchema = z
  .object({
    /** A tool call id from a stub (`recall id "…"`) or a message id from a search hit. */
    id: z.string().trim().min(1).optional(),
    /** Words or identifiers to search the whole session for. */
    query: z.string().trim().min(1).optional(),
    /** Most search hits. */
    limit: z.number().int().min(1).max(RECALL_MAX_LIMIT).optional(),
  })
  .refine((v) => (v.id === undefined) !== (v.query === undefined), { message: 'give exactly one of "id" or "query"' });
export type RecallInput = z.infer<typeof RecallInputSchema>;

export type RecallAnswer = { ok: true; text: string; kind: 'id' | 'query'; found: boolean } | { ok: false; error: string };

/** Answers a recall request over the session's log (time-sliced when a slicer is given). */
export async function answerRecall(log: SessionLog, rawInput: unknown, slicer: TimeSlicer = NO_SLICING): Promise<RecallAnswer> {
  const parsed = RecallInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    return { ok: false, error: `${RECALL_TOOL_NAME}: bad input (${problems}). Use {"id": "<recall id from a stub>"} or {"query": "words", "limit": 5}.` };
  }
  const input = parsed.data;
  if (input.id !== undefined) {
    const r = recallById(log, input.id);
    return { ok: true, kind: 'id', found: r.status === 'found', text: formatRecallById(r) };
  }
  const r = await searchSessionInSlices(log, input.query ?? '', input.limit !== undefined ? { limit: input.limit } : {}, slicer);
  return { ok: true, kind: 'query', found: r.hits.length > 0, text: formatSearch(r) };
}
