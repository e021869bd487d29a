/**
 * The pi coding agent's session JSONL (`~/.pi/agent/sessions/.../*.jsonl`).
 * Line 1 is a `session` header (id, cwd, provider, modelId); then `message`
 * entries whose `message.role` is `user`, `assistant` (text / thinking /
 * toolCall blocks, usage), `toolResult` (toolCallId, toolName, isError) or
 * `bashExecution` (a command the user ran with `!`, shown to the model as a user
 * message, not a request). `compaction` entries are pi's own compactions:
 * `summary` replaces every entry before `firstKeptEntryIndex` (0-based index of
 * the file's lines). With `nativeCompactions: 'apply'` (default) they become our
 * compaction records, so the context is what pi really sent; with `'ignore'`
 * the full transcript is the context. `model_change` updates the header's model;
 * `thinking_level_change` is ignored.
 */
import * as z from 'zod';
import type { Part, ProviderUsage } from '../records';
import { LogBuilder, forEachJsonLine, toolArgs } from './builder';

const BlockSchema = z.looseObject({ type: z.string() });
const ContentSchema = z.union([z.string(), z.array(BlockSchema)]);

const UserSchema = z.looseObject({ role: z.literal('user'), content: ContentSchema });
const AssistantSchema = z.looseObject({
  role: z.literal('assistant'),
  content: z.array(BlockSchema),
  model: z.string().optional(),
  provider: z.string().optional(),
  usage: z
    .looseObject({ input: z.number().optional(), output: z.number().optional(), cacheRead: z.number().optional(), cacheWrite: z.number().optional() })
    .optional(),
});
const ToolResultSchema = z.looseObject({
  role: z.literal('toolResult'),
  toolCallId: z.string(),
  toolName: z.string().optional(),
  content: ContentSchema,
  isError: z.boolean().optional(),
});
const BashSchema = z.looseObject({
  role: z.literal('bashExecution'),
  command: z.string(),
  output: z.string().optional(),
  exitCode: z.number().nullish(),
});
const MessageSchema = z.discriminatedUnion('role', [UserSchema, AssistantSchema, ToolResultSchema, BashSchema]);

const EntrySchema = z.looseObject({ type: z.string(), timestamp: z.string().optional() });
const SessionSchema = z.looseObject({ type: z.literal('session'), id: z.string().optional(), modelId: z.string().optional(), provider: z.string().optional() });
const MessageEntrySchema = z.looseObject({ type: z.literal('message'), timestamp: z.string().optional(), message: MessageSchema });
const CompactionEntrySchema = z.looseObject({
  type: z.literal('compaction'),
  summary: z.string(),
  firstKeptEntryIndex: z.number().int().nonnegative(),
  tokensBefore: z.number().nonnegative().optional(),
});
const ModelChangeSchema = z.looseObject({ type: z.literal('model_change'), modelId: z.string(), provider: z.string().optional() });

const IGNORED = new Set(['thinking_level_change']);

function contentToParts(content: z.infer<typeof ContentSchema>): Part[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const parts: Part[] = [];
  for (const block of content) {
    const o = block as Record<string, unknown>;
    if (block.type === 'text' && typeof o.text === 'string' && o.text !== '') parts.push({ type: 'text', text: o.text });
    else if (block.type === 'thinking' && typeof o.thinking === 'string') parts.push({ type: 'thinking', text: o.thinking });
    else if (block.type === 'image') parts.push({ type: 'image', ...(typeof o.mimeType === 'string' ? { mimeType: o.mimeType } : {}) });
    else if (block.type === 'toolCall') {
      parts.push({ type: 'tool_call', id: String(o.id ?? ''), name: String(o.name ?? 'tool'), args: toolArgs(o.arguments) });
    }
  }
  return parts;
}

function flatText(parts: Part[]): string {
  return parts.map((p) => (p.type === 'text' ? p.text : p.type === 'image' ? '[image]' : '')).join('\n');
}

export interface PiOptions {
  nativeCompactions?: 'apply' | 'ignore';
}

export function importPi(text: string, b: LogBuilder, options: PiOptions = {}): void {
  const apply = (options.nativeCompactions ?? 'apply') === 'apply';
  /** 0-based line index → id of the message made from it (for `firstKeptEntryIndex`). */
  const idAtIndex = new Map<number, string>();
  const unknownTypes = new Map<string, number>();
  let compactions = 0;
  forEachJsonLine(text, b, (value, line) => {
    const entry = EntrySchema.safeParse(value);
    if (!entry.success) {
      b.warnInvalid(line, 'entry', entry.error);
      return;
    }
    const at = entry.data.timestamp;
    switch (entry.data.type) {
      case 'session': {
        const s = SessionSchema.safeParse(value);
        if (!s.success) return b.warnInvalid(line, 'session header', s.error);
        if (s.data.id) b.header.id = s.data.id;
        if (at) b.header.createdAt = at;
        if (s.data.modelId) b.header.model = { id: s.data.modelId, ...(s.data.provider ? { vendor: s.data.provider } : {}) };
        return;
      }
      case 'model_change': {
        const m = ModelChangeSchema.safeParse(value);
        if (!m.success) return b.warnInvalid(line, 'model_change', m.error);
        b.header.model = { id: m.data.modelId, ...(m.data.provider ? { vendor: m.data.provider } : {}) };
        return;
      }
      case 'compaction': {
        const c = CompactionEntrySchema.safeParse(value);
        if (!c.success) return b.warnInvalid(line, 'compaction', c.error);
        if (!apply) return;
        // The index must name an entry before this one; otherwise applying it would drop everything (or nothing).
        if (c.data.firstKeptEntryIndex > line - 1) {
          b.warn(line, `compaction keeps from entry ${c.data.firstKeptEntryIndex}, which is not an earlier entry: ignored, the full transcript is read`);
          return;
        }
        const covered = [...idAtIndex.entries()].filter(([i]) => i < c.data.firstKeptEntryIndex).map(([, id]) => id);
        const kept = b.messages().filter((m) => !covered.includes(m.id));
        const summaryTokens = b.counter.countText(c.data.summary);
        b.addCompaction({
          type: 'compaction',
          id: `pi-compaction-${++compactions}`,
          at: at ?? new Date(0).toISOString(),
          source: 'auto',
          strategy: 'imported:pi',
          tiers: [{ tier: 'summarize', count: 1 }],
          covered,
          replaced: [],
          summary: c.data.summary,
          summaryTokens,
          attachments: [],
          before: { tokens: Math.round(c.data.tokensBefore ?? 0), messages: b.messages().length },
          after: { tokens: summaryTokens + kept.reduce((n, m) => n + m.tokens, 0), messages: kept.length + 1 },
          durationMs: 0,
        });
        return;
      }
      case 'message':
        break;
      default:
        if (!IGNORED.has(entry.data.type)) {
          if (!unknownTypes.has(entry.data.type)) unknownTypes.set(entry.data.type, line);
        }
        return;
    }
    const parsed = MessageEntrySchema.safeParse(value);
    if (!parsed.success) return b.warnInvalid(line, 'message', parsed.error);
    const m = parsed.data.message;
    let id: string | undefined;
    switch (m.role) {
      case 'user':
        id = b.addMessage({ role: 'user', parts: contentToParts(m.content), at, request: true });
        break;
      case 'assistant': {
        const u = m.usage;
        const usage: ProviderUsage | undefined = u
          ? {
              inputTokens: (u.input ?? 0) + (u.cacheRead ?? 0) + (u.cacheWrite ?? 0),
              ...(u.output !== undefined ? { outputTokens: u.output } : {}),
              cachedInputTokens: u.cacheRead ?? 0,
            }
          : undefined;
        id = b.addMessage({ role: 'assistant', parts: contentToParts(m.content), at, usage });
        break;
      }
      case 'toolResult':
        id = b.addMessage({
          role: 'tool',
          at,
          parts: [
            {
              type: 'tool_result',
              callId: m.toolCallId,
              text: flatText(contentToParts(m.content)),
              ...(m.toolName ? { name: m.toolName } : {}),
              ...(m.isError !== undefined ? { isError: m.isError } : {}),
            },
          ],
        });
        break;
      case 'bashExecution': {
        const exit = m.exitCode !== undefined && m.exitCode !== null && m.exitCode !== 0 ? `\n(exit code ${m.exitCode})` : '';
        const textOut = `Ran \`${m.command}\`\n\`\`\`\n${m.output ?? ''}\n\`\`\`${exit}`;
        // Output of a command the person ran: context for the model, never a request (the ledger must not quote it as one).
        id = b.addMessage({ role: 'user', parts: [{ type: 'text', text: textOut }], at, request: false });
        break;
      }
    }
    if (id) idAtIndex.set(line - 1, id);
  });
  for (const [type, line] of unknownTypes) b.warn(line, `skipped entries of unknown type "${type}"`);
}
