/**
 * The context in OpenAI chat format, for tools that replay or inspect it.
 *
 * - `system` context → a `system` message; summaries and attachments → `user`.
 * - Assistant messages carry `tool_calls` (`{ id, type: 'function', function:
 *   { name, arguments } }`, arguments as a JSON string) when they call tools;
 *   `content` is always a string ('' when the message only calls tools).
 * - Each tool result becomes its own `tool` message with `tool_call_id`, in order.
 * - Thinking is dropped (providers do not accept it back as text); images become
 *   `[image]`, documents `[document: name]`.
 * - A message left with nothing to say (only thinking) is dropped.
 */
import { stringifySafe } from '../safeJson';
import type { Part } from '../records';
import type { ContextMessage } from '../types';

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string };

/** The text a model would read for one non-tool part ('' for thinking and tool parts). */
export function partText(part: Part): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'image':
      return '[image]';
    case 'document':
      return part.name ? `[document: ${part.name}]` : '[document]';
    default:
      return '';
  }
}

function joinText(parts: readonly Part[]): string {
  return parts
    .map(partText)
    .filter((t) => t !== '')
    .join('\n');
}

export function toOpenAIMessages(context: readonly ContextMessage[]): OpenAIChatMessage[] {
  const out: OpenAIChatMessage[] = [];
  for (const m of context) {
    const results = m.parts.filter((p) => p.type === 'tool_result');
    const others = m.parts.filter((p) => p.type !== 'tool_result');
    if (m.role === 'assistant') {
      const calls: OpenAIToolCall[] = others
        .filter((p) => p.type === 'tool_call')
        .map((p) => ({
          id: p.id,
          type: 'function',
          function: { name: p.name, arguments: typeof p.args === 'string' ? p.args : stringifySafe(p.args) },
        }));
      const content = joinText(others);
      if (content === '' && calls.length === 0) continue;
      out.push(calls.length > 0 ? { role: 'assistant', content, tool_calls: calls } : { role: 'assistant', content });
      continue;
    }
    for (const r of results) out.push({ role: 'tool', content: r.text, tool_call_id: r.callId });
    const content = joinText(others);
    if (content === '') continue;
    if (m.role === 'system') out.push({ role: 'system', content });
    else out.push({ role: 'user', content }); // user, tool text, summary, attachment
  }
  return out;
}
