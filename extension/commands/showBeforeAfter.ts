import * as vscode from 'vscode';
import { activeCompaction } from '../../src/compaction/context';
import type { CompactionRecord } from '../../src/compaction/records';
import { beforeAfterUri } from '../ui/beforeAfterDocuments';
import { formatTokens } from '../ui/format';
import type { Command } from './command';

/**
 * Opens the context before a compaction and after it side by side (a diff of
 * two read-only documents), from a history entry of the Context view.
 */
export const showBeforeAfter: Command = {
  id: 'compactor.showBeforeAfter',
  async execute(ctx, sessionId?: unknown, compactionId?: unknown) {
    if (typeof sessionId !== 'string' || typeof compactionId !== 'string') {
      throw new Error('Show Before / After needs a session id and a compaction id.');
    }
    const log = await ctx.sessions.load(sessionId);
    const c = log.records.find((r): r is CompactionRecord => r.type === 'compaction' && r.id === compactionId);
    if (!c) throw new Error(`No compaction ${compactionId} in this session.`);
    const title = `Context before ↔ after compaction (${formatTokens(c.before.tokens)} → ${formatTokens(c.after.tokens)})`;
    await vscode.commands.executeCommand('vscode.diff', beforeAfterUri(sessionId, compactionId, 'before'), beforeAfterUri(sessionId, compactionId, 'after'), title, { preview: false });
    return compactionId;
  },
};

/** "Revert this compaction" in the before/after view: only the newest compaction still applied can be reverted. */
export const revertCompactionFromView: Command = {
  id: 'compactor.revertCompactionFromView',
  async execute(ctx, sessionId?: unknown, compactionId?: unknown) {
    if (typeof sessionId !== 'string' || typeof compactionId !== 'string') throw new Error('Revert needs a session id and a compaction id.');
    const log = await ctx.sessions.load(sessionId);
    if (activeCompaction(log)?.id !== compactionId) {
      void vscode.window.showInformationMessage('Only the newest compaction still applied can be reverted.');
      return undefined;
    }
    const reverted = await ctx.sessions.compactions.revertLast(sessionId);
    if (reverted) {
      const usage = ctx.sessions.usage(await ctx.sessions.load(sessionId));
      void vscode.window.showInformationMessage(`Reverted the ${reverted.source} compaction; the context is back to ${formatTokens(usage.used)} tokens.`);
    }
    return reverted?.id;
  },
};
