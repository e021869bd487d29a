/**
 * Claude Code session JSONL (`~/.claude/projects/<project>/<session>.jsonl`).
 * One record per line: `user` / `assistant` records carry an Anthropic `message`;
 * `summary` records carry the session title; other record types (`system`,
 * `file-history-snapshot`, ...) are bookkeeping and skipped.
 *
 * - An assistant response is streamed as one record per content block sharing
 *   `message.id`; consecutive records with the same id become one message.
 * - `user` records holding `tool_result` blocks become `tool` messages; the text
 *   typed by a person is a request, except `isMeta` records (expanded slash
 *   commands), compact summaries and local command output.
 * - `isSidechain` records are a subagent's own conversation (Task tool): they
 *   never were in the main context, so they are skipped and counted in one warning.
 */
import * as z from 'zod';
import type { Part, ProviderUsage } from '../records';
import { LogBuilder, forEachJsonLine, toolArgs } from './builder';

const BlockSchema = z.looseObject({ type: z.string() });

const MessageLineSchema = z.looseObject({
  type: z.enum(['user', 'assistant']),
  isSidechain: z.boolean().optional(),
  isMeta: z.boolean().optional(),
  isCompactSummary: z.boolean().optional(),
  sessionId: z.string().optional(),
  timestamp: z.string().optional(),
  message: z.looseObject({
    id: z.string().optional(),
    role: z.enum(['user', 'assistant']),
    model: z.string().optional(),
    content: z.union([z.string(), z.array(BlockSchema)]),
    usage: z
      .looseObject({
        input_tokens: z.number().optional(),
        output_tokens: z.number().optional(),
        cache_creation_input_tokens: z.number().optional(),
        cache_read_input_tokens: z.number().optional(),
      })
      .nullish(),
  }),
});
type MessageLine = z.infer<typeof MessageLineSchema>;

const AnyLineSchema = z.looseObject({ type: z.string() });
const SummaryLineSchema = z.looseObject({ type: z.literal('summary'), summary: z.string() });

/** Text a person did not type, although it arrives as a user message. */
const NOT_A_REQUEST = /^\s*(<local-command-stdout>|<local-command-stderr>|Caveat: |\[Request interrupted)/;

export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((c: { type?: string; text?: unknown }) => (c?.type === 'text' && typeof c.text === 'string' ? c.text : c?.type === 'image' ? '[image]' : ''))
    .join('\n');
}

export function blockToPart(block: Record<string, unknown> & { type: string }): Part | undefined {
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' && block.text !== '' ? { type: 'text', text: block.text } : undefined;
    case 'thinking':
      return typeof block.thinking === 'string' ? { type: 'thinking', text: block.thinking } : undefined;
    case 'redacted_thinking':
      return { type: 'thinking', text: '[redacted thinking]' };
    case 'image': {
      const source = block.source as { media_type?: unknown } | undefined;
      return { type: 'image', ...(typeof source?.media_type === 'string' ? { mimeType: source.media_type } : {}) };
    }
    case 'document':
      return { type: 'document' };
    case 'tool_use':
      return { type: 'tool_call', id: String(block.id ?? ''), name: String(block.name ?? 'tool'), args: toolArgs(block.input) };
    default:
      return undefined;
  }
}

function usageOf(line: MessageLine): ProviderUsage | undefined {
  const u = line.message.usage;
  if (!u) return undefined;
  const cached = u.cache_read_input_tokens ?? 0;
  const input = (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + cached;
  return { inputTokens: input, ...(u.output_tokens !== undefined ? { outputTokens: u.output_tokens } : {}), cachedInputTokens: cached };
}

export function importClaudeCode(text: string, b: LogBuilder): void {
  const callNames = new Map<string, string>();
  let lastAssistantId: string | undefined;
  let sidechain = { count: 0, firstLine: 0 };
  forEachJsonLine(text, b, (value, line) => {
    const any = AnyLineSchema.safeParse(value);
    if (!any.success) {
      b.warnInvalid(line, 'record', any.error);
      return;
    }
    if (any.data.type === 'summary') {
      const s = SummaryLineSchema.safeParse(value);
      if (s.success && !b.header.title) b.header.title = s.data.summary;
      return;
    }
    if (any.data.type !== 'user' && any.data.type !== 'assistant') return; // bookkeeping records
    const parsed = MessageLineSchema.safeParse(value);
    if (!parsed.success) {
      b.warnInvalid(line, `${any.data.type} record`, parsed.error);
      return;
    }
    const rec = parsed.data;
    if (rec.isSidechain) {
      if (sidechain.count++ === 0) sidechain = { count: 1, firstLine: line };
      return;
    }
    if (rec.sessionId && !b.header.id) b.header.id = rec.sessionId;
    if (!b.header.createdAt && rec.timestamp) b.header.createdAt = rec.timestamp;
    const at = rec.timestamp;
    const blocks = typeof rec.message.content === 'string' ? [{ type: 'text', text: rec.message.content }] : rec.message.content;

    if (rec.type === 'assistant') {
      if (rec.message.model && rec.message.model !== '<synthetic>') b.header.model = { id: rec.message.model, vendor: 'anthropic' };
      const parts = blocks.map(blockToPart).filter((p): p is Part => p !== undefined);
      for (const p of parts) if (p.type === 'tool_call') callNames.set(p.id, p.name);
      const usage = usageOf(rec);
      const msgId = rec.message.id;
      if (msgId && msgId === lastAssistantId && b.lastMessage()?.role === 'assistant') {
        b.extendLastMessage(parts, usage);
      } else {
        b.addMessage({ role: 'assistant', parts, at, usage });
      }
      lastAssistantId = msgId;
      return;
    }

    lastAssistantId = undefined;
    const results: Part[] = [];
    const userParts: Part[] = [];
    for (const block of blocks) {
      if (block.type === 'tool_result') {
        const callId = String(block.tool_use_id ?? '');
        const name = callNames.get(callId);
        results.push({
          type: 'tool_result',
          callId,
          text: toolResultText(block.content),
          ...(name ? { name } : {}),
          ...(block.is_error === true ? { isError: true } : block.is_error === false ? { isError: false } : {}),
        });
      } else {
        const part = blockToPart(block);
        if (part) userParts.push(part);
      }
    }
    if (results.length > 0) b.addMessage({ role: 'tool', parts: results, at });
    if (userParts.length > 0) {
      const firstText = userParts.find((p) => p.type === 'text');
      const request =
        !rec.isMeta && !rec.isCompactSummary && results.length === 0 && !(firstText?.type === 'text' && NOT_A_REQUEST.test(firstText.text));
      b.addMessage({ role: 'user', parts: userParts, at, request });
    }
  });
  if (sidechain.count > 0) {
    b.warn(
      sidechain.firstLine,
      `skipped ${sidechain.count} subagent (isSidechain) records from line ${sidechain.firstLine} on: they were never in the main context`,
    );
  }
}
