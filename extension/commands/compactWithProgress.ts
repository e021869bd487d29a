import * as vscode from 'vscode';
import { SHOW_COMPACTION_COMMAND } from '../chat/compactionNotice';
import type { CompactorContext } from '../compactorContext';
import type { CompactResponse } from '../../src/compaction/protocol';
import type { PreviewOutcome } from '../sessions/previewFlow';
import type { CompactRequest } from '../sessions/sessionCompactions';
import type { CompactionReport } from '../../src/compaction/types';
import { compactionLine } from '../ui/format';

/**
 * A compaction the user asked for by command: a cancellable progress
 * notification (or the preview, `compactor.compaction.preview`), then one
 * message with the result (Show Summary, and Revert when the session is the
 * active one, which Revert Last Compaction acts on).
 */
export async function compactWithProgress(ctx: CompactorContext, sessionId: string, request: CompactRequest, title: string, preview = false): Promise<CompactionReport> {
  let result: CompactResponse;
  if (preview) {
    const outcome = await ctx.previews.run(sessionId, request, ctx.sessions.chatModelOf(sessionId));
    if (outcome.state !== 'applied') {
      const { report, message } = unapplied(outcome);
      if (outcome.state === 'stale') void vscode.window.showWarningMessage(message);
      else void vscode.window.showInformationMessage(message);
      return report;
    }
    result = outcome.result;
  } else {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) =>
      ctx.sessions.compactions.compactWithModel(sessionId, request, ctx.sessions.chatModelOf(sessionId), token),
    );
  }
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

/** A preview that did not apply: the report to return (status `aborted` unless nothing was proposed) and what to tell the person. */
export function unapplied(outcome: Exclude<PreviewOutcome, { state: 'applied' }>): { report: CompactionReport; message: string } {
  switch (outcome.state) {
    case 'not_proposed':
      return { report: outcome.report, message: `Nothing was compacted: ${outcome.report.reason ?? outcome.report.status}. The session is unchanged.` };
    case 'discarded': {
      const reason = outcome.how === 'closed' ? 'The preview was closed; the session is unchanged.' : 'Discarded; the session is unchanged.';
      return { report: { ...outcome.proposal.report, status: 'aborted', reason }, message: reason };
    }
    case 'stale':
      return { report: { ...outcome.proposal.report, status: 'aborted', reason: outcome.message }, message: outcome.message };
  }
}
