/**
 * Tier 1, observation masking: old tool results become one-line stubs that
 * name the tool, its (shortened) arguments and the tokens removed. The call
 * and its result part stay (same callId), so pairs remain intact for the
 * provider.
 *
 * Two rules:
 * - Age: results in messages before the start of the last `maskAfterTurns`
 *   user turns are masked (when bigger than MASK_MIN_RESULT_TOKENS).
 * - Repeats: an earlier call identical to a later one (same tool, same
 *   arguments) whose result is identical, or any repeated read-like call
 *   (read/view/cat/open), points to the later result: the later one is current.
 *   Repeats are collapsed anywhere, also in recent turns.
 * - Rounds (recall-aware masking, off unless `maskAfterRounds` is given):
 *   results before the start of the last `maskAfterRounds` tool rounds are
 *   masked too, whatever the turn. A single-request agent run is one long
 *   turn, which the age rule never reaches; since a stub says how to recall
 *   its result exactly, hiding older rounds loses nothing for good.
 */
import { MASK_ARGS_MAX_CHARS, MASK_MIN_RESULT_TOKENS, MESSAGE_OVERHEAD_TOKENS, RECALL_TOOL_NAME, TOOL_RESULT_OVERHEAD_TOKENS } from '../constants';
import type { Part, ToolCallPart } from '../records';
import { argsText, estimateTokens, partCost } from '../tokens/counter';
import { roundStarts, toolCallsById, turnStarts } from '../turns';
import type { ContextMessage, TokenCounter } from '../types';

export interface Replacement {
  messageId: string;
  parts: Part[];
  tokens: number;
}

export interface MaskOptions {
  maskAfterTurns: number;
  /** Also mask results older than the last this many tool rounds (recall-aware masking); undefined: off. */
  maskAfterRounds?: number;
  counter: TokenCounter;
  /** Message ids never masked (pins, pins.ts). */
  keep?: ReadonlySet<string>;
}

export interface MaskResult {
  replaced: Replacement[];
  /** Tool results replaced by a stub. */
  masked: number;
  tokensRemoved: number;
}

const STUB_PREFIX = '[tool result ';
const READ_LIKE = /read|view|cat|open|get_?file|fetch/i;

export function isStub(text: string): boolean {
  return text.startsWith(STUB_PREFIX);
}

export function shortArgs(call: ToolCallPart | undefined): string {
  if (!call) return '';
  const s = argsText(call.args);
  return s.length <= MASK_ARGS_MAX_CHARS ? s : `${s.slice(0, MASK_ARGS_MAX_CHARS - 1)}…`;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * How a stub says its result can be had back (recall/README contract): the
 * literal `recall id "<callId>"`, with the call id as stored in the log, is
 * what the model (and the demo's scripted agent) copies into the recall tool.
 */
export function recallHint(callId: string): string {
  return `Recall it with ${RECALL_TOOL_NAME}, recall id ${JSON.stringify(callId)}`;
}

export function maskStub(name: string, call: ToolCallPart | undefined, removed: number, callId: string): string {
  return `[tool result masked: ${name} ${shortArgs(call)} — ${fmt(removed)} tokens removed. ${recallHint(callId)}]`;
}

export function repeatStub(name: string, call: ToolCallPart | undefined, laterCallId: string, removed: number, callId: string): string {
  return `[tool result superseded: ${name} ${shortArgs(call)} was called again later (call ${laterCallId}); see that result — ${fmt(removed)} tokens removed. ${recallHint(callId)}]`;
}

function callKey(call: ToolCallPart): string {
  return `${call.name}\u0000${argsText(call.args)}`;
}

/**
 * Tokens of the text of `m.parts[index]` (a tool result) without tokenizing
 * it when the stored count allows. The message's stored tokens are its
 * per-message overhead plus every part's cost (partCost), so the cost of its
 * largest part is the stored total minus the overhead and the other parts'
 * costs (usually there are none: a tool message holds one result); only the
 * smaller parts are ever tokenized. This keeps a compaction after a server
 * restart (a cold counter) from re-tokenizing every old tool result, and the
 * numbers agree with the stored counts the gauge shows. Falls back to
 * counting when the stored count cannot hold the other parts (it came from
 * another encoding or the estimate).
 */
export function storedResultTextTokens(m: ContextMessage, index: number, counter: TokenCounter): number {
  const p = m.parts[index];
  if (p?.type !== 'tool_result') return 0;
  let largest = 0;
  m.parts.forEach((q, i) => {
    if (partCost(q, estimateTokens) > partCost(m.parts[largest]!, estimateTokens)) largest = i;
  });
  if (index !== largest) return counter.countText(p.text);
  let others = MESSAGE_OVERHEAD_TOKENS + TOOL_RESULT_OVERHEAD_TOKENS + (p.name ? counter.countText(p.name) : 0);
  m.parts.forEach((q, i) => {
    if (i !== index) others += partCost(q, (t) => counter.countText(t));
  });
  const derived = m.tokens - others;
  return derived >= 0 ? derived : counter.countText(p.text);
}

/** Messages before this index are older than the last `rounds` tool rounds (0 when off or when there are fewer). */
function roundCutoff(context: readonly ContextMessage[], rounds: number | undefined): number {
  if (rounds === undefined) return 0;
  const keep = Math.max(0, Math.floor(rounds));
  const starts = roundStarts(context);
  if (keep === 0) return context.length;
  return starts.length > keep ? (starts[starts.length - keep] ?? 0) : 0;
}

/** Masks tool results of `context` (kind 'message' only). Pure given the counter. */
export function maskToolResults(context: readonly ContextMessage[], options: MaskOptions): MaskResult {
  const calls = toolCallsById(context);
  const starts = turnStarts(context);
  const keep = Math.max(0, Math.floor(options.maskAfterTurns));
  // Messages before this index are old enough to mask; with fewer turns, none are.
  const turnCutoff = keep === 0 ? context.length : starts.length > keep ? (starts[starts.length - keep] ?? 0) : 0;
  const ageCutoff = Math.max(turnCutoff, roundCutoff(context, options.maskAfterRounds));

  // The latest result for each identical call, to collapse earlier repeats.
  const latest = new Map<string, { callId: string; text: string }>();
  for (const m of context) {
    for (const p of m.parts) {
      if (p.type !== 'tool_result') continue;
      const call = calls.get(p.callId);
      if (call) latest.set(callKey(call), { callId: p.callId, text: p.text });
    }
  }

  const replaced: Replacement[] = [];
  let masked = 0;
  let tokensRemoved = 0;
  context.forEach((m, index) => {
    if (m.kind !== 'message' || !m.messageId || options.keep?.has(m.messageId)) return;
    let changed = false;
    let delta = 0;
    const parts = m.parts.map((p, partIndex): Part => {
      if (p.type !== 'tool_result' || isStub(p.text)) return p;
      const call = calls.get(p.callId);
      const name = p.name ?? call?.name ?? 'tool';
      const later = call ? latest.get(callKey(call)) : undefined;
      const repeated =
        later !== undefined && later.callId !== p.callId && (later.text === p.text || READ_LIKE.test(name));
      if (!repeated && index >= ageCutoff) return p;
      const old = storedResultTextTokens(m, partIndex, options.counter);
      if (old < MASK_MIN_RESULT_TOKENS) return p;
      const text = repeated && later ? repeatStub(name, call, later.callId, old, p.callId) : maskStub(name, call, old, p.callId);
      const removed = old - options.counter.countText(text);
      if (removed <= 0) return p;
      changed = true;
      delta += removed;
      masked++;
      // The stub replaces what the model saw; the whole output (fullText) stays in the original message only.
      const { fullText: _whole, ...kept } = p;
      return { ...kept, text };
    });
    if (!changed) return;
    tokensRemoved += delta;
    replaced.push({ messageId: m.messageId, parts, tokens: Math.max(0, m.tokens - delta) });
  });
  return { replaced, masked, tokensRemoved };
}

/** The context with replacements applied (what the model would see). */
export function applyReplacements(context: readonly ContextMessage[], replaced: readonly Replacement[]): ContextMessage[] {
  const byId = new Map(replaced.map((r) => [r.messageId, r]));
  return context.map((m) => {
    const r = m.messageId ? byId.get(m.messageId) : undefined;
    return r ? { ...m, parts: r.parts, tokens: r.tokens } : m;
  });
}
