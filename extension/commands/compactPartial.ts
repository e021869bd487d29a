import * as vscode from 'vscode';
import { COMPACT_PARTIAL_COMMAND, CompactPartialArgsSchema } from '../../src/compaction/protocol';
import { SHOW_COMPACTION_COMMAND } from '../chat/compactionNotice';
import { compactionLine } from '../ui/format';
import type { Command } from './command';

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
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: side === 'upto' ? 'Compacting up to the chosen message…' : 'Compacting from the chosen message on…',
        cancellable: true,
      },
      (_progress, token) =>
        ctx.sessions.compactWithModel(sessionId, { source: 'partial', partial }, ctx.sessions.chatModelOf(sessionId), token).catch((err: unknown) => {
          ctx.telemetry.compactionError('partial', err);
          throw err;
        }),
    );
    ctx.telemetry.compactionResult(result);
    if (result.status !== 'compacted') {
      void vscode.window.showInformationMessage(`Nothing was compacted: ${result.report.reason ?? result.status}. The session is unchanged.`);
      return result.report;
    }
    ctx.sessions.breaker(sessionId).recordManualCompaction();
    // Revert Last Compaction works on the active session; offer it only when that is this one.
    const actions = ctx.sessions.activeSessionId === sessionId ? ['Show Summary', 'Revert'] : ['Show Summary'];
    void vscode.window.showInformationMessage(compactionLine(result.report), ...actions).then((choice) => {
      if (choice === 'Show Summary') void vscode.commands.executeCommand(SHOW_COMPACTION_COMMAND, sessionId, result.record.id);
      if (choice === 'Revert') void vscode.commands.executeCommand('compactor.revertLastCompaction');
    });
    return result.report;
  },
};
