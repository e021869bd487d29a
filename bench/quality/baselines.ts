/**
 * What other agents do without a summary model, at the same budget, for the
 * quality comparison. Each takes the context (system message first, if any)
 * and returns a new one; the system message is always kept.
 *
 * - dropOldestHalf: Roo Code / Cline's fallback truncation
 *   (`truncateConversation(messages, 0.5)`): keep the first message (the task)
 *   and remove the oldest half of the others, rounded down to an even count.
 * - keepNewest30: Gemini CLI keeps the newest 30 % of the history (by size) and
 *   summarizes the rest; without the summary, the 30 % is what remains.
 * - userOnly: Codex's compacted history keeps the user messages (and a summary);
 *   without the summary, only the user messages remain.
 * - maskOnly: observation masking alone: every tool result but the newest 10
 *   becomes a one-line stub; nothing else changes.
 *
 * Cuts never start the kept part with a tool result whose call was dropped.
 * A result still over the budget is then cut to it by `cutToFit` (drop the
 * oldest non-system messages), and marked `cut`.
 */
import type { Part } from '../../src/compaction/records';
import type { ContextMessage, TokenCounter } from '../../src/compaction/types';

/** Gemini CLI's COMPRESSION_PRESERVE_THRESHOLD: the newest share of the history kept verbatim. */
export const GEMINI_PRESERVE_FRACTION = 0.3;
/** Observations kept verbatim by the masking baseline (the newest ones), as in observation-masking studies. */
export const MASK_KEEP_NEWEST_RESULTS = 10;

export type BaselineName = 'dropOldestHalf' | 'keepNewest30' | 'userOnly' | 'maskOnly';

export function tokensOf(context: readonly ContextMessage[]): number {
  return context.reduce((n, m) => n + m.tokens, 0);
}

function split(context: readonly ContextMessage[]): { system: ContextMessage[]; rest: ContextMessage[] } {
  return { system: context.filter((m) => m.kind === 'system'), rest: context.filter((m) => m.kind !== 'system') };
}

/** Drops leading messages that answer tool calls no longer present. */
function dropOrphans(rest: ContextMessage[]): ContextMessage[] {
  const calls = new Set<string>();
  return rest.filter((m) => {
    for (const p of m.parts) if (p.type === 'tool_call') calls.add(p.id);
    return !(m.role === 'tool' && m.parts.every((p) => p.type === 'tool_result' && !calls.has(p.callId)));
  });
}

export function dropOldestHalf(context: readonly ContextMessage[]): ContextMessage[] {
  const { system, rest } = split(context);
  const head = rest.slice(0, 1);
  const tail = rest.slice(1);
  const half = Math.floor(tail.length / 2);
  const removed = half - (half % 2);
  return [...system, ...head, ...dropOrphans(tail.slice(removed))];
}

export function keepNewest30(context: readonly ContextMessage[]): ContextMessage[] {
  const { system, rest } = split(context);
  const keep = tokensOf(rest) * GEMINI_PRESERVE_FRACTION;
  let sum = 0;
  let start = rest.length;
  while (start > 0 && sum + rest[start - 1]!.tokens <= keep) sum += rest[--start]!.tokens;
  return [...system, ...dropOrphans(rest.slice(start))];
}

export function userOnly(context: readonly ContextMessage[]): ContextMessage[] {
  const { system, rest } = split(context);
  return [...system, ...rest.filter((m) => m.role === 'user' && m.parts.some((p) => p.type !== 'tool_result'))];
}

export function maskOnly(context: readonly ContextMessage[], counter: TokenCounter): ContextMessage[] {
  let seen = 0;
  const out: ContextMessage[] = [];
  for (let i = context.length - 1; i >= 0; i--) {
    const m = context[i]!;
    if (!m.parts.some((p) => p.type === 'tool_result') || seen++ < MASK_KEEP_NEWEST_RESULTS) {
      out.push(m);
      continue;
    }
    const parts: Part[] = m.parts.map((p) =>
      p.type === 'tool_result' ? { ...p, text: `[output of ${p.name ?? 'tool'} omitted]` } : p,
    );
    out.push({ ...m, parts, tokens: counter.countParts(parts) });
  }
  return out.reverse();
}

/** Drops the oldest non-system messages until the context fits `target`. */
export function cutToFit(context: readonly ContextMessage[], target: number): { context: ContextMessage[]; cut: boolean } {
  if (tokensOf(context) <= target) return { context: [...context], cut: false };
  const { system, rest } = split(context);
  let budget = target - tokensOf(system);
  const kept: ContextMessage[] = [];
  for (let i = rest.length - 1; i >= 0 && budget - rest[i]!.tokens >= 0; i--) {
    budget -= rest[i]!.tokens;
    kept.unshift(rest[i]!);
  }
  return { context: [...system, ...dropOrphans(kept)], cut: true };
}

export function runBaseline(name: BaselineName, context: readonly ContextMessage[], counter: TokenCounter): ContextMessage[] {
  switch (name) {
    case 'dropOldestHalf':
      return dropOldestHalf(context);
    case 'keepNewest30':
      return keepNewest30(context);
    case 'userOnly':
      return userOnly(context);
    case 'maskOnly':
      return maskOnly(context, counter);
  }
}
