import type { CompactionRecord } from '../../src/compaction/records';
import type { CompactorContext } from '../compactorContext';

/**
 * The compaction a history entry's command is run for: its arguments (a
 * session id and a compaction id) checked, and the record looked up in the
 * session's log. `command` is the command's title, for the error.
 */
export async function namedCompaction(
  ctx: CompactorContext,
  command: string,
  sessionId: unknown,
  compactionId: unknown,
): Promise<{ sessionId: string; compaction: CompactionRecord }> {
  if (typeof sessionId !== 'string' || typeof compactionId !== 'string') {
    throw new Error(`${command} needs a session id and a compaction id.`);
  }
  const log = await ctx.sessions.load(sessionId);
  const compaction = log.records.find((r): r is CompactionRecord => r.type === 'compaction' && r.id === compactionId);
  if (!compaction) throw new Error(`No compaction ${compactionId} in this session.`);
  return { sessionId, compaction };
}
