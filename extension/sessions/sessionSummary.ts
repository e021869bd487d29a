/**
 * What `list()` shows about a session, computed as a fold over its records so
 * it can be updated from only the bytes appended since the last look (the
 * state is small and is cached on disk; see sessionIndex.ts).
 */
import * as z from 'zod';
import type { Part, SessionHeader } from '../../src/compaction/records';
import type { BodyRecord } from './logParser';

/** A derived title is the first user line, cut to this many characters. */
const DERIVED_TITLE_MAX_CHARS = 60;
export const UNTITLED = 'Untitled session';

export interface SessionSummary {
  id: string;
  title: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: time of the newest record (the header's time when there is none). */
  updatedAt: string;
  messageCount: number;
  /**
   * Estimated context tokens, from counts stored in the log (never re-tokenized):
   * the newest non-reverted compaction's `after.tokens` plus the messages
   * appended after it; without one, the system prompt plus every message.
   */
  tokens?: number;
}

export const SummaryStateSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  headerTitle: z.string().optional(),
  derivedTitle: z.string().optional(),
  lastAt: z.string().optional(),
  messageCount: z.number().int().nonnegative(),
  systemTokens: z.number().int().nonnegative(),
  messageTokens: z.number().int().nonnegative(),
  compactions: z.array(
    z.object({
      id: z.string(),
      afterTokens: z.number().int().nonnegative(),
      tokensSince: z.number().int().nonnegative(),
      reverted: z.boolean(),
    }),
  ),
});
export type SummaryState = z.infer<typeof SummaryStateSchema>;

export function startSummary(header: SessionHeader): SummaryState {
  return {
    id: header.id,
    createdAt: header.createdAt,
    headerTitle: header.title,
    messageCount: 0,
    systemTokens: header.systemTokens ?? 0,
    messageTokens: 0,
    compactions: [],
  };
}

/** Returns a new state with `records` folded in; `state` is not modified. */
export function foldRecords(state: SummaryState, records: readonly BodyRecord[]): SummaryState {
  const next: SummaryState = { ...state, compactions: state.compactions.map((c) => ({ ...c })) };
  for (const record of records) {
    next.lastAt = record.at;
    switch (record.type) {
      case 'message':
        next.messageCount++;
        next.messageTokens += record.tokens;
        for (const c of next.compactions) c.tokensSince += record.tokens;
        if (next.derivedTitle === undefined && record.role === 'user') next.derivedTitle = deriveTitle(record.parts);
        break;
      case 'compaction':
        next.compactions.push({ id: record.id, afterTokens: record.after.tokens, tokensSince: 0, reverted: false });
        break;
      case 'revert':
        for (const c of next.compactions) if (c.id === record.compactionId) c.reverted = true;
        break;
    }
  }
  return next;
}

export function toSummary(state: SummaryState, titleOverride?: string): SessionSummary {
  return {
    id: state.id,
    title: titleOverride ?? state.headerTitle ?? state.derivedTitle ?? UNTITLED,
    createdAt: state.createdAt,
    updatedAt: state.lastAt ?? state.createdAt,
    messageCount: state.messageCount,
    tokens: contextTokens(state),
  };
}

export function contextTokens(state: SummaryState): number {
  for (let i = state.compactions.length - 1; i >= 0; i--) {
    const c = state.compactions[i];
    if (c && !c.reverted) return c.afterTokens + c.tokensSince;
  }
  return state.systemTokens + state.messageTokens;
}

function deriveTitle(parts: readonly Part[]): string | undefined {
  for (const part of parts) {
    if (part.type !== 'text') continue;
    const line = part.text.trim().split('\n')[0]?.trim() ?? '';
    if (line === '') continue;
    return line.length > DERIVED_TITLE_MAX_CHARS ? `${line.slice(0, DERIVED_TITLE_MAX_CHARS - 1)}…` : line;
  }
  return undefined;
}
