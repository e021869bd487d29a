/**
 * Input hygiene: the messages to summarize become a plain-text transcript,
 * grouped into rounds the pipeline can drop oldest-first when the summary
 * request is too long.
 *
 * - Images and documents become `[image]` / `[document]` (never bytes).
 * - Thinking is left out (the model's private scratchpad, often huge).
 * - Tool results and arguments are cut in the middle to
 *   TRANSCRIPT_TOOL_RESULT_MAX_TOKENS; masked stubs are short and stay stubs.
 * - A round starts at a user turn or at a new tool round (an assistant message
 *   after tool results, not after the request), and only where no tool call is separated from
 *   its result (turns.ts safeCuts), so dropping a round never orphans a result.
 */
import type { Part } from '../records';
import { truncateMiddle } from '../tiers/extractive';
import { argsText } from '../tokens/counter';
import { isUserTurnStart, safeCuts, textOf } from '../turns';
import type { ContextMessage, TokenCounter } from '../types';
import { DROPPED_REQUEST_MAX_TOKENS, TRANSCRIPT_TOOL_RESULT_MAX_TOKENS } from './llmConstants';
import { render } from './prompts';

export interface Round {
  text: string;
  tokens: number;
  /** The user requests that start turns in this round (quoted in a drop marker). */
  requests: string[];
}

function partText(p: Part, counter: TokenCounter): string | undefined {
  switch (p.type) {
    case 'text':
      return p.text;
    case 'image':
      return '[image]';
    case 'document':
      return '[document]';
    case 'thinking':
      return undefined;
    case 'tool_call':
      return `→ call ${p.name} ${truncateMiddle(argsText(p.args), TRANSCRIPT_TOOL_RESULT_MAX_TOKENS, counter)}`;
    case 'tool_result':
      return `← result${p.name ? ` of ${p.name}` : ''}${p.isError ? ' (error)' : ''}:\n${truncateMiddle(p.text, TRANSCRIPT_TOOL_RESULT_MAX_TOKENS, counter)}`;
  }
}

/** One message as transcript text (a role line, then its parts). */
export function messageText(m: Pick<ContextMessage, 'role' | 'parts'>, counter: TokenCounter): string {
  const body = m.parts.map((p) => partText(p, counter)).filter((t): t is string => t !== undefined && t !== '');
  return `[${m.role}]\n${body.join('\n')}`;
}

/** Groups the messages into rounds (see the file comment for where rounds start). */
export function roundsOf(messages: readonly ContextMessage[], counter: TokenCounter): Round[] {
  const safe = safeCuts(messages);
  const rounds: Round[] = [];
  let texts: string[] = [];
  let requests: string[] = [];
  const flush = () => {
    if (texts.length === 0) return;
    const text = texts.join('\n\n');
    rounds.push({ text, tokens: counter.countText(text), requests });
    texts = [];
    requests = [];
  };
  messages.forEach((m, i) => {
    const prev = messages[i - 1];
    const afterResults = m.role === 'assistant' && prev !== undefined && prev.role !== 'assistant' && !isUserTurnStart(prev);
    const starts = i > 0 && safe[i] === true && (isUserTurnStart(m) || afterResults);
    if (starts) flush();
    if (isUserTurnStart(m)) requests.push(textOf(m));
    texts.push(messageText(m, counter));
  });
  flush();
  return rounds;
}

/** The marker that replaces dropped rounds, quoting their user requests (each cut to DROPPED_REQUEST_MAX_TOKENS). */
export function droppedMarker(dropped: readonly Round[], counter: TokenCounter): string {
  const tokens = dropped.reduce((s, r) => s + r.tokens, 0);
  const requests = dropped.flatMap((r) => r.requests).filter((t) => t.trim() !== '');
  const quoted = requests.length === 0 ? '' : `\nThe user's requests in them were:\n${requests.map((t) => `- ${truncateMiddle(t, DROPPED_REQUEST_MAX_TOKENS, counter).replace(/\n/g, '\n  ')}`).join('\n')}`;
  return render('dropped', { rounds: String(dropped.length), tokens: tokens.toLocaleString('en-US'), requests: quoted }).trim();
}

/** The transcript of the kept rounds, with the marker first when rounds were dropped. */
export function transcriptText(rounds: readonly Round[], marker: string | undefined): string {
  const body = [...(marker ? [marker] : []), ...rounds.map((r) => r.text)].join('\n\n');
  return `<transcript>\n${body}\n</transcript>`;
}
