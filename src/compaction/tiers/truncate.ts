/**
 * Tier 4, emergency truncation: drop the oldest rounds of the verbatim
 * messages until the context fits, and say so with a visible marker.
 *
 * The marker quotes the dropped user requests (extractive.ts quoteRequest;
 * a huge one cut in the middle), so the task survives.
 *
 * Invariants: cuts happen only where no tool call is separated from its
 * result (turns.ts safeCuts); the last user turn start is preferred as the
 * last possible cut, and the newest message always stays. A pinned message
 * (the session's first request) is never dropped: it stays verbatim before
 * the marker. Only a message without tool calls or results can be pinned, so
 * pairs stay intact. The person's pins (`kept`) are never dropped either:
 * they come with their tool pairs, so pairs stay intact too.
 */
import { SUMMARY_EXCERPT_MAX_CHARS, SUMMARY_USER_REQUEST_MAX_TOKENS } from '../constants';
import { isUserTurnStart, safeCuts, textOf, turnStarts } from '../turns';
import type { ContextMessage, TokenCounter } from '../types';
import { quoteRequest, truncateMiddle } from './extractive';

export interface TruncateOptions {
  /** Tokens the verbatim messages may use after truncation. */
  maxTokens: number;
  /** Ids of messages never dropped (the session's first request). */
  pinned?: ReadonlySet<string>;
  /**
   * Ids of messages never dropped whatever their parts: the person's pins with their tool pairs (pins.ts
   * keptPinIdsAmong), so keeping them leaves no call without its result.
   */
  kept?: ReadonlySet<string>;
  /** Cuts a huge dropped request in the marker by tokens; without it, by characters. */
  counter?: TokenCounter;
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
  const isPinned = (m: ContextMessage | undefined) =>
    m?.messageId !== undefined &&
    (options.kept?.has(m.messageId) === true ||
      (options.pinned?.has(m.messageId) === true && m.parts.every((p) => p.type !== 'tool_call' && p.type !== 'tool_result')));
  const droppable = (cut: number) => messages.slice(0, cut).filter((m) => !isPinned(m));
  const droppedTokensAt = (cut: number) => droppable(cut).reduce((s, m) => s + m.tokens, 0);
  const fits = (cut: number) => total - droppedTokensAt(cut) <= options.maxTokens;
  const cut = atTurns.find(fits) ?? anySafe.find(fits) ?? anySafe[anySafe.length - 1];
  if (cut === undefined) return none;
  const dropped = droppable(cut);
  if (dropped.length === 0) return none;
  const droppedTokens = droppedTokensAt(cut);
  // The user's requests must survive even an emergency: quote the dropped ones.
  const requests = dropped.filter(isUserTurnStart).map((m) => quoteRequest(shorten(textOf(m), options.counter)));
  const marker = truncationMarker(dropped.length, droppedTokens);
  return {
    dropped: dropped.map((m) => m.messageId).filter((id): id is string => id !== undefined),
    droppedTokens,
    marker: requests.length > 0 ? `${marker}\nUser requests among them:\n${requests.join('\n')}` : marker,
  };
}

function shorten(text: string, counter: TokenCounter | undefined): string {
  if (counter) return truncateMiddle(text, SUMMARY_USER_REQUEST_MAX_TOKENS, counter);
  const max = SUMMARY_EXCERPT_MAX_CHARS * 8;
  return text.length > max ? `${text.slice(0, max / 2)}\n[…]\n${text.slice(-max / 2)}` : text;
}
