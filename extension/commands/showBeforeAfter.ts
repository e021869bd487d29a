import * as vscode from 'vscode';
import { activeCompaction, keptPinIds, messagesOf } from '../../src/compaction/context';
import { beforeAfterOf } from '../../src/compaction/export/beforeAfter';
import { previewOf } from '../../src/compaction/pinList';
import { beforeAfterUri, parseBeforeAfterUri } from '../ui/beforeAfterDocuments';
import { formatTokens, revertedLine } from '../ui/format';
import type { Command } from './command';
import { namedCompaction } from './namedCompaction';

/**
 * Opens the context before a compaction and after it side by side (a diff of
 * two read-only documents), from a history entry of the Context view.
 */
export const showBeforeAfter: Command = {
  id: 'compactor.showBeforeAfter',
  async execute(ctx, first?: unknown, second?: unknown) {
    const { sessionId, compaction: c } = await namedCompaction(ctx, 'Show Before / After', first, second);
    const title = `Context before ↔ after compaction (${formatTokens(c.before.tokens)} → ${formatTokens(c.after.tokens)})`;
    await vscode.commands.executeCommand('vscode.diff', beforeAfterUri(sessionId, c.id, 'before'), beforeAfterUri(sessionId, c.id, 'after'), title, { preview: false });
    return c.id;
  },
};

/** The session and compaction of a before/after document (editor title actions pass its URI), or the ids themselves. */
function idsOf(first: unknown, second: unknown): { sessionId: string; compactionId: string } {
  if (typeof first === 'string' && typeof second === 'string') return { sessionId: first, compactionId: second };
  const at = first instanceof vscode.Uri ? parseBeforeAfterUri(first) : undefined;
  if (!at) throw new Error('This command works in the before/after view of a compaction.');
  return at;
}

/** "Revert this compaction" in the before/after view: only the newest compaction still applied can be reverted. */
export const revertCompactionFromView: Command = {
  id: 'compactor.revertCompactionFromView',
  async execute(ctx, first?: unknown, second?: unknown) {
    const { sessionId, compactionId } = idsOf(first, second);
    const log = await ctx.sessions.load(sessionId);
    if (activeCompaction(log)?.id !== compactionId) {
      void vscode.window.showInformationMessage('Only the newest compaction still applied can be reverted.');
      return undefined;
    }
    const reverted = await ctx.sessions.compactions.revertLast(sessionId);
    if (reverted) {
      const usage = ctx.sessions.usage(await ctx.sessions.load(sessionId));
      void vscode.window.showInformationMessage(revertedLine(reverted.source, usage.used));
    }
    return reverted?.id;
  },
};

/**
 * "Pin or Unpin a Message…" in the before/after view's title: a picker of the
 * messages of that compaction's context (before it), pinned ones marked;
 * picking one toggles its pin. (The view's lenses do the same per message, but
 * diff editors hide lenses unless `diffEditor.codeLens` is on.)
 */
export const pinFromView: Command = {
  id: 'compactor.pinFromView',
  async execute(ctx, first?: unknown, second?: unknown) {
    const { sessionId, compactionId } = idsOf(first, second);
    const log = await ctx.sessions.load(sessionId);
    const view = beforeAfterOf(log, compactionId);
    if (!view) throw new Error(`No compaction ${compactionId} in this session.`);
    const pinned = keptPinIds(log);
    const byId = new Map(messagesOf(log).map((m) => [m.id, m]));
    const items = view.before.anchors.flatMap((a) => {
      const m = byId.get(a.messageId);
      if (!m) return [];
      const on = pinned.has(m.id);
      return [{ label: `${on ? '$(pinned) ' : ''}${previewOf(m)}`, description: `${m.role} · ${m.tokens.toLocaleString('en-US')} tokens${on ? ' · pinned: pick to unpin' : ''}`, id: m.id, on }];
    });
    const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Pin a message (keep it verbatim through compaction), or unpin a pinned one' });
    if (!picked) return undefined;
    await ctx.sessions.setPin(sessionId, picked.id, !picked.on, { origin: 'before-after' });
    return picked.id;
  },
};
