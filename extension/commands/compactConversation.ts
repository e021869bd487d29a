import * as vscode from 'vscode';
import { compactionLine } from '../ui/format';
import { activeSessionOrSay } from './activeSession';
import type { Command } from './command';
import { SHOW_COMPACTION_COMMAND } from '../chat/compactionNotice';

export const COMPACT_CONVERSATION_COMMAND = 'compactor.compactConversation';

/** Compacts the active session now, with optional instructions, behind a cancellable progress notification. */
export const compactConversation: Command = {
  id: COMPACT_CONVERSATION_COMMAND,
  async execute(ctx, instructionsArg?: unknown) {
    const sessionId = activeSessionOrSay(ctx);
    if (!sessionId) return undefined;
    let instructions = typeof instructionsArg === 'string' ? instructionsArg : undefined;
    if (instructions === undefined) {
      instructions = await vscode.window.showInputBox({
        title: 'Compact Conversation',
        prompt: 'Optional: what the summary should focus on (Enter to compact without instructions)',
        placeHolder: 'e.g. keep the failing test names and the plan',
      });
      if (instructions === undefined) return undefined; // Escape: nothing happens
    }
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Compacting conversation…', cancellable: true },
      (_progress, token) =>
        ctx.sessions.compactWithModel(sessionId, { source: 'manual', ...(instructions ? { instructions } : {}) }, ctx.sessions.chatModelOf(sessionId), token).catch((err: unknown) => {
          ctx.telemetry.compactionError('manual', err);
          throw err;
        }),
    );
    ctx.telemetry.compactionResult(result);
    if (result.status !== 'compacted') {
      void vscode.window.showInformationMessage(`Nothing was compacted: ${result.report.reason ?? result.status}. The session is unchanged.`);
      return result.report;
    }
    ctx.sessions.breaker(sessionId).recordManualCompaction();
    void vscode.window.showInformationMessage(compactionLine(result.report), 'Show Summary', 'Revert').then((choice) => {
      if (choice === 'Show Summary') void vscode.commands.executeCommand(SHOW_COMPACTION_COMMAND, sessionId, result.record.id);
      if (choice === 'Revert') void vscode.commands.executeCommand('compactor.revertLastCompaction');
    });
    return result.report;
  },
};
