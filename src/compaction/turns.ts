/**
 * Structure of a conversation that every cut must respect: user turns and
 * tool-call/result pairs. Works on anything with a role and parts (log
 * messages or context messages).
 */
import type { Part, ToolCallPart } from './records';

export interface TurnMessage {
  role: string;
  parts: readonly Part[];
  tokens: number;
}

/**
 * A user turn starts at a user message that carries something besides tool
 * results (a request, not the answer to a tool call). Anthropic-style user
 * messages that carry tool results never start a turn, even with text.
 */
export function isUserTurnStart(m: Pick<TurnMessage, 'role' | 'parts'>): boolean {
  if (m.role !== 'user') return false;
  let hasOther = false;
  for (const p of m.parts) {
    if (p.type === 'tool_result') return false;
    hasOther = true;
  }
  return hasOther;
}

/** Indexes of the user-turn starts, ascending. */
export function turnStarts(messages: readonly TurnMessage[]): number[] {
  const out: number[] = [];
  messages.forEach((m, i) => {
    if (isUserTurnStart(m)) out.push(i);
  });
  return out;
}

/**
 * Indexes where a new tool round starts inside a turn: an assistant message
 * right after a message that is not the assistant's (a tool result, or the
 * user's message carrying results). Cutting there keeps each round — the
 * assistant's calls and their results — whole; callers still check safeCuts.
 */
export function roundStarts(messages: readonly TurnMessage[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < messages.length; i++) {
    if (messages[i]?.role === 'assistant' && messages[i - 1]?.role !== 'assistant') out.push(i);
  }
  return out;
}

/**
 * For every index i in 0..n, whether cutting before message i separates no
 * tool call from its result (no call in [0, i) has a result in [i, n)).
 * Index 0 and n are always safe.
 */
export function safeCuts(messages: readonly TurnMessage[]): boolean[] {
  const lastResultAt = new Map<string, number>();
  messages.forEach((m, i) => {
    for (const p of m.parts) if (p.type === 'tool_result') lastResultAt.set(p.callId, i);
  });
  const safe: boolean[] = new Array<boolean>(messages.length + 1).fill(true);
  // A call at index c with its last result at r makes cuts c+1..r unsafe.
  messages.forEach((m, c) => {
    for (const p of m.parts) {
      if (p.type !== 'tool_call') continue;
      const r = lastResultAt.get(p.id);
      if (r === undefined) continue;
      for (let i = c + 1; i <= r; i++) safe[i] = false;
    }
  });
  return safe;
}

/** Tool calls by id, to name the call that produced a result. */
export function toolCallsById(messages: readonly TurnMessage[]): Map<string, ToolCallPart> {
  const out = new Map<string, ToolCallPart>();
  for (const m of messages) for (const p of m.parts) if (p.type === 'tool_call') out.set(p.id, p);
  return out;
}

/** The text of a message's text parts, joined. */
export function textOf(m: { parts: readonly Part[] }): string {
  return m.parts
    .filter((p): p is Extract<Part, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}
