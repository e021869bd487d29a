import * as vscode from 'vscode';
import { SHOW_COMPACTION_COMMAND } from '../chat/compactionNotice';
import type { CompactorContext } from '../compactorContext';
import type { CompactRequest } from '../sessions/sessionCompactions';
import type { CompactionReport } from '../../src/compaction/types';
import { compactionLine } from '../ui/format';

/**
 * A compaction the user asked for by command: a cancellable progress
 * notification, then one message with the result (Show Summary, and Revert
 * when the session is the active one, which Revert Last Compaction acts on).
 */
export async function compactWithProgress(ctx: CompactorContext, sessionId: string, request: CompactRequest, title: string): Promise<CompactionReport> {
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) =>
    ctx.sessions.compactions.compactWithModel(sessionId, request, ctx.sessions.chatModelOf(sessionId), token),
  );
  if (result.status !== 'compacted') {
    void vscode.window.showInformationMessage(`Nothing was compacted: ${result.report.reason ?? result.status}. The session is unchanged.`);
    return result.report;
  }
  ctx.sessions.compactions.breaker(sessionId).recordManualCompaction();
  const actions = ctx.sessions.activeSessionId === sessionId ? ['Show Summary', 'Revert'] : ['Show Summary'];
  void vscode.window.showInformationMessage(compactionLine(result.report), ...actions).then((choice) => {
    if (choice === 'Show Summary') void vscode.commands.executeCommand(SHOW_COMPACTION_COMMAND, sessionId, result.record.id);
    if (choice === 'Revert') void vscode.commands.executeCommand('compactor.revertLastCompaction');
  });
  return result.report;
}
