import * as vscode from 'vscode';
import { pickSession } from './activeSession';
import type { Command } from './command';

/**
 * Makes a stored session the active one (the gauge, the Context view and
 * Compact Conversation follow it) and shows its transcript.
 */
export const openSession: Command = {
  id: 'compactor.openSession',
  async execute(ctx) {
    const id = await pickSession(ctx, 'Open a Context Compactor session');
    if (!id) return undefined;
    await ctx.sessions.load(id);
    ctx.sessions.setActive(id);
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: await ctx.sessions.store.exportMarkdown(id) });
    await vscode.window.showTextDocument(doc, { preview: true });
    return id;
  },
};
