import { COMPACT_PARTIAL_COMMAND, CompactPartialArgsSchema } from '../../src/compaction/protocol';
import type { Command } from './command';
import { wantsPreview } from './compactionPreview';
import { compactWithProgress } from './compactWithProgress';

/**
 * Partial compaction from a transcript code lens (server/features): summarize
 * the session up to a message, or from it on, keeping the other side verbatim.
 * Shown and reported like Compact Conversation. Not in the command palette: it
 * needs the lens's `{ sessionId, messageId, side }`.
 */
export const compactPartial: Command = {
  id: COMPACT_PARTIAL_COMMAND,
  async execute(ctx, raw?: unknown) {
    const parsed = CompactPartialArgsSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`${COMPACT_PARTIAL_COMMAND} needs { sessionId, messageId, side: 'upto' | 'from' } (from a transcript code lens).`);
    const { sessionId, messageId, side } = parsed.data;
    const partial = side === 'upto' ? { upto: messageId } : { from: messageId };
    await ctx.sessions.load(sessionId);
    const title = side === 'upto' ? 'Compacting up to the chosen message…' : 'Compacting from the chosen message on…';
    return compactWithProgress(ctx, sessionId, { source: 'partial', partial }, title, wantsPreview(ctx, 'partial'));
  },
};
