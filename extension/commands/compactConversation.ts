import * as vscode from 'vscode';
import { activeSessionOrSay } from './activeSession';
import type { Command } from './command';
import { wantsPreview } from './compactionPreview';
import { compactWithProgress } from './compactWithProgress';

export const COMPACT_CONVERSATION_COMMAND = 'compactor.compactConversation';

/** Compacts the active session now, with optional instructions, behind a cancellable progress notification or the preview (`compactor.compaction.preview`). */
export const compactConversation: Command = {
  id: COMPACT_CONVERSATION_COMMAND,
  async execute(ctx, instructionsArg?: unknown) {
    const sessionId = await activeSessionOrSay(ctx);
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
    const request = { source: 'manual' as const, ...(instructions ? { instructions } : {}) };
    return compactWithProgress(ctx, sessionId, request, 'Compacting conversation…', wantsPreview(ctx, 'conversation'));
  },
};
