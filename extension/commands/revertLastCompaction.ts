import * as vscode from 'vscode';
import { revertedLine } from '../ui/format';
import { activeSessionOrSay } from './activeSession';
import type { Command } from './command';

/** Undoes the newest compaction of the active session (the log keeps both). */
export const revertLastCompaction: Command = {
  id: 'compactor.revertLastCompaction',
  async execute(ctx) {
    const sessionId = await activeSessionOrSay(ctx);
    if (!sessionId) return undefined;
    const reverted = await ctx.sessions.compactions.revertLast(sessionId);
    if (!reverted) {
      void vscode.window.showInformationMessage('The active session has no compaction to revert.');
      return undefined;
    }
    const usage = ctx.sessions.usage(await ctx.sessions.load(sessionId));
    void vscode.window.showInformationMessage(revertedLine(reverted.source, usage.used));
    return reverted.id;
  },
};
