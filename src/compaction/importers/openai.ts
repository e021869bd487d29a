/**
 * OpenAI chat messages: a JSON array (or `{ "messages": [...] }`) or JSONL of
 * `{ role, content, tool_calls?, tool_call_id? }`. `content` is a string, null
 * (assistant messages that only call tools) or an array of parts. `system` and
 * `developer` messages go into the header's system prompt; `reasoning_content`
 * (DeepSeek) / `reasoning` become thinking parts. Every user message is a request.
 * The message mapper is shared with the mini-swe-agent importer.
 */
import * as z from 'zod';
import type { Part } from '../records';
import { LogBuilder, forEachJsonLine, toolArgs, tryParseJson } from './builder';

const ContentPartSchema = z.looseObject({ type: z.string() });

export const OpenAIToolCallSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }),
});

export const OpenAIMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(ContentPartSchema), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(OpenAIToolCallSchema).nullish(),
  tool_call_id: z.string().optional(),
  reasoning_content: z.string().nullish(),
  reasoning: z.string().nullish(),
});
export type OpenAIMessage = z.infer<typeof OpenAIMessageSchema>;

/** Flattens OpenAI content (string or parts) into our parts; unknown part types become a `[type]` text. */
export function contentParts(content: OpenAIMessage['content']): Part[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const parts: Part[] = [];
  for (const p of content) {
    const o = p as Record<string, unknown>;
    if ((p.type === 'text' || p.type === 'input_text' || p.type === 'output_text') && typeof o.text === 'string') {
      parts.push({ type: 'text', text: o.text });
    } else if (p.type === 'refusal' && typeof o.refusal === 'string') {
      parts.push({ type: 'text', text: o.refusal });
    } else if (p.type === 'image_url' || p.type === 'input_image' || p.type === 'image') {
      parts.push(imagePart(o));
    } else if (p.type === 'file' || p.type === 'input_file') {
      const file = (o.file ?? {}) as Record<string, unknown>;
      parts.push({ type: 'document', ...(typeof file.filename === 'string' ? { name: file.filename } : {}) });
    } else {
      parts.push({ type: 'text', text: `[${p.type}]` });
    }
  }
  return parts;
}

function imagePart(o: Record<string, unknown>): Part {
  const inner = o.image_url as { url?: unknown } | string | undefined;
  const url = typeof inner === 'string' ? inner : typeof inner?.url === 'string' ? inner.url : undefined;
  if (url?.startsWith('data:')) {
    const mime = /^data:([^;,]+)/.exec(url)?.[1];
    return { type: 'image', ...(mime ? { mimeType: mime } : {}) };
  }
  // Never store bytes; a URL is a name the user would recognise.
  return { type: 'image', ...(url ? { ref: url } : {}) };
}

function textOf(parts: Part[]): string {
  return parts.map((p) => (p.type === 'text' ? p.text : p.type === 'image' ? '[image]' : '')).join('\n');
}

export interface OpenAIMapOptions {
  /** Decides whether a user message is a real request (default: every user message is). */
  isRequest?: (message: OpenAIMessage, index: number) => boolean;
  /** Whether a tool result is an error (OpenAI messages do not say; formats built on them may). */
  isError?: (message: OpenAIMessage) => boolean | undefined;
}

/**
 * Maps validated OpenAI messages into the builder. Keeps a map of tool call ids
 * to names so tool results carry the tool name.
 */
export class OpenAIMessageMapper {
  private readonly callNames = new Map<string, string>();
  private userIndex = 0;
  private callSeq = 0;

  constructor(
    private readonly builder: LogBuilder,
    private readonly options: OpenAIMapOptions = {},
  ) {}

  add(message: OpenAIMessage, line: number, at?: string): void {
    const b = this.builder;
    switch (message.role) {
      case 'system':
      case 'developer':
        b.addSystem(textOf(contentParts(message.content)));
        return;
      case 'user': {
        const request = this.options.isRequest?.(message, this.userIndex) ?? true;
        this.userIndex++;
        b.addMessage({ role: 'user', parts: contentParts(message.content), request, at });
        return;
      }
      case 'assistant': {
        const parts: Part[] = [];
        const reasoning = message.reasoning_content ?? message.reasoning;
        if (reasoning) parts.push({ type: 'thinking', text: reasoning });
        parts.push(...contentParts(message.content));
        for (const call of message.tool_calls ?? []) {
          const id = call.id ?? `call_${line}_${this.callSeq++}`;
          this.callNames.set(id, call.function.name);
          parts.push({ type: 'tool_call', id, name: call.function.name, args: toolArgs(call.function.arguments) });
        }
        b.addMessage({ role: 'assistant', parts, at });
        return;
      }
      case 'tool':
      case 'function': {
        const callId = message.tool_call_id ?? '';
        if (!callId) b.warn(line, 'tool message without tool_call_id');
        else if (!this.callNames.has(callId)) b.warn(line, `tool result for call "${callId.slice(0, 80)}" that no earlier assistant message made (an orphan result); kept`);
        const name = message.name ?? this.callNames.get(callId);
        const isError = this.options.isError?.(message);
        b.addMessage({
          role: 'tool',
          at,
          parts: [
            {
              type: 'tool_result',
              callId,
              text: textOf(contentParts(message.content)),
              ...(name ? { name } : {}),
              ...(isError !== undefined ? { isError } : {}),
            },
          ],
        });
        return;
      }
    }
  }
}

/** Reads an OpenAI transcript: whole-document JSON first, JSONL otherwise. */
export function importOpenAI(text: string, b: LogBuilder): void {
  const mapper = new OpenAIMessageMapper(b);
  const doc = tryParseJson(text);
  if (doc !== undefined) {
    const list = Array.isArray(doc) ? doc : (doc as { messages?: unknown }).messages;
    if (!Array.isArray(list)) {
      b.warn(0, 'expected a JSON array of messages or an object with "messages"');
      return;
    }
    list.forEach((raw, i) => {
      const parsed = OpenAIMessageSchema.safeParse(withoutBadToolCalls(raw, b, 0));
      if (!parsed.success) b.warnInvalid(0, `messages[${i}]`, parsed.error);
      else mapper.add(parsed.data, 0);
    });
    return;
  }
  forEachJsonLine(text, b, (value, line) => {
    const parsed = OpenAIMessageSchema.safeParse(withoutBadToolCalls(value, b, line));
    if (!parsed.success) b.warnInvalid(line, 'message', parsed.error);
    else mapper.add(parsed.data, line);
  });
}

/**
 * `tool_calls` that is not a list of calls (a string, an object, a list with a
 * malformed call) is left out with a warning, so the message's own text is
 * still imported rather than the whole message skipped.
 */
function withoutBadToolCalls(raw: unknown, b: LogBuilder, line: number): unknown {
  if (typeof raw !== 'object' || raw === null || !('tool_calls' in raw)) return raw;
  const calls = (raw as { tool_calls?: unknown }).tool_calls;
  if (calls === null || calls === undefined) return raw;
  if (OpenAIMessageSchema.shape.tool_calls.safeParse(calls).success) return raw;
  const got = Array.isArray(calls) ? 'a list with a malformed call' : typeof calls;
  b.warn(line, `tool_calls is not a list of calls (got ${got}): left out, the message's text kept`);
  const { tool_calls: _dropped, ...rest } = raw as Record<string, unknown>;
  return rest;
}
