/**
 * Tier 4, emergency truncation: drop the oldest rounds of the verbatim
 * messages until the context fits, and say so with a visible marker.
 *
 * The marker lists the dropped user requests (shortened), so the task survives.
 *
 * Invariants: cuts happen only where no tool call is separated from its
 * result (turns.ts safeCuts); the last user turn start is preferred as the
 * last possible cut, and the newest message always stays.
 */
import { SUMMARY_EXCERPT_MAX_CHARS } from '../constants';
import { isUserTurnStart, safeCuts, textOf, turnStarts } from '../turns';
import type { ContextMessage } from '../types';

export interface TruncateOptions {
  /** Tokens the verbatim messages may use after truncation. */
  maxTokens: number;
}

export interface TruncateResult {
  /** Ids of the dropped messages (oldest first). */
  dropped: string[];
  droppedTokens: number;
  /** Empty when nothing was dropped. */
  marker: string;
}

export function truncationMarker(messages: number, tokens: number): string {
  return `[${messages.toLocaleString('en-US')} earlier messages (${tokens.toLocaleString('en-US')} tokens) were dropped to fit the context window]`;
}

/** `messages` are the verbatim messages (kind 'message'), oldest first. */
export function truncateOldest(messages: readonly ContextMessage[], options: TruncateOptions): TruncateResult {
  const total = messages.reduce((s, m) => s + m.tokens, 0);
  const none: TruncateResult = { dropped: [], droppedTokens: 0, marker: '' };
  if (total <= options.maxTokens || messages.length < 2) return none;
  const safe = safeCuts(messages);
  const starts = new Set(turnStarts(messages));
  // Prefer cuts at user-turn starts; fall back to any safe cut (a giant single turn).
  const atTurns: number[] = [];
  const anySafe: number[] = [];
  for (let i = 1; i < messages.length; i++) {
    if (!safe[i]) continue;
    anySafe.push(i);
    if (starts.has(i)) atTurns.push(i);
  }
  const fits = (cut: number) => total - prefix(messages, cut) <= options.maxTokens;
  const cut = atTurns.find(fits) ?? anySafe.find(fits) ?? anySafe[anySafe.length - 1];
  if (cut === undefined) return none;
  const dropped = messages.slice(0, cut);
  const droppedTokens = prefix(messages, cut);
  // The user's requests must survive even an emergency: list the dropped ones.
  const requests = dropped.filter(isUserTurnStart).map((m) => {
    const t = textOf(m).replace(/\s+/g, ' ').trim();
    return `- ${t.length > SUMMARY_EXCERPT_MAX_CHARS ? `${t.slice(0, SUMMARY_EXCERPT_MAX_CHARS - 1)}…` : t}`;
  });
  const marker = truncationMarker(dropped.length, droppedTokens);
  return {
    dropped: dropped.map((m) => m.messageId).filter((id): id is string => id !== undefined),
    droppedTokens,
    marker: requests.length > 0 ? `${marker}\nUser requests among them:\n${requests.join('\n')}` : marker,
  };
}

function prefix(messages: readonly ContextMessage[], end: number): number {
  let s = 0;
  for (let i = 0; i < end; i++) s += messages[i]?.tokens ?? 0;
  return s;
}
