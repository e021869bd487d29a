import * as vscode from 'vscode';
import { pickSession } from './activeSession';
import type { Command } from './command';

/**
 * Opens a session's JSONL log itself (not a Markdown export), read-only, so
 * the compaction server's transcript features apply: token counts per
 * message, the outline of the turns, hovers, "Compact up to / from here"
 * lenses and warnings for huge tool results. Opening it starts the server.
 */
export const openSessionTranscript: Command = {
  id: 'compactor.openSessionTranscript',
  async execute(ctx) {
    const id = await pickSession(ctx, 'Open the transcript (JSONL log) of a Context Compactor session');
    if (!id) return undefined;
    const uri = vscode.Uri.file(ctx.sessions.store.logPath(id));
    const doc = await vscode.workspace.openTextDocument(uri);
    // `jsonl` where VS Code knows the language (the selector also matches `*.jsonl` files as plain text).
    const shown = doc.languageId === 'jsonl' ? doc : await Promise.resolve(vscode.languages.setTextDocumentLanguage(doc, 'jsonl')).catch(() => doc);
    await vscode.window.showTextDocument(shown, { preview: false });
    // The log is append-only and written by the extension: this editor must not change it.
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
    return id;
  },
};
