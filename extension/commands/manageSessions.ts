import * as vscode from 'vscode';
import { pickSession } from './activeSession';
import type { Command } from './command';

export const renameSession: Command = {
  id: 'compactor.renameSession',
  async execute(ctx) {
    const id = await pickSession(ctx, 'Rename which session?');
    if (!id) return;
    const log = await ctx.sessions.load(id);
    const title = await vscode.window.showInputBox({ title: 'Rename Session', value: log.header.title ?? '', validateInput: (v) => (v.trim() ? undefined : 'A title cannot be empty') });
    if (title?.trim()) await ctx.sessions.rename(id, title.trim());
  },
};

export const deleteSession: Command = {
  id: 'compactor.deleteSession',
  async execute(ctx) {
    const id = await pickSession(ctx, 'Delete which session?');
    if (!id) return;
    const log = await ctx.sessions.load(id);
    const choice = await vscode.window.showWarningMessage(
      `Delete the session "${log.header.title ?? id}" and its whole transcript? This cannot be undone.`,
      { modal: true },
      'Delete',
    );
    if (choice === 'Delete') await ctx.sessions.delete(id);
  },
};

export const exportSession: Command = {
  id: 'compactor.exportSession',
  async execute(ctx) {
    const id = await pickSession(ctx, 'Export which session?');
    if (!id) return;
    const format = await vscode.window.showQuickPick(
      [
        { label: 'Markdown', description: 'readable transcript', ext: 'md' },
        { label: 'JSONL', description: 'the session log, every record', ext: 'jsonl' },
      ],
      { placeHolder: 'Export format' },
    );
    if (!format) return;
    const log = await ctx.sessions.load(id);
    const safeTitle = (log.header.title ?? id).replace(/[^\w.-]+/g, '-').slice(0, 60);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? ctx.extension.globalStorageUri, `${safeTitle}.${format.ext}`),
      filters: { [format.label]: [format.ext] },
    });
    if (!target) return;
    const text = format.ext === 'md' ? await ctx.sessions.store.exportMarkdown(id) : await ctx.sessions.store.exportJsonl(id);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(`Exported to ${vscode.workspace.asRelativePath(target)}.`);
  },
};
