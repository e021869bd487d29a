import * as vscode from 'vscode';
import type * as z from 'zod';
import { LIST_FOLDER_TOOL, ListFolderInput } from './toolInputs';
import { LIST_FOLDER_MAX_ENTRIES } from './toolLimits';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

export { LIST_FOLDER_TOOL };

const Input = ListFolderInput;

/** Lists a workspace folder: one entry a line, folders with a trailing slash. */
export const listFolderTool: vscode.LanguageModelTool<z.infer<typeof Input>> = {
  prepareInvocation(options) {
    return { invocationMessage: `Listing ${String((options.input as { path?: unknown }).path ?? 'the workspace')}` };
  },
  async invoke(options) {
    const input = Input.parse(options.input ?? {});
    const uri = resolveWorkspacePath(input.path);
    const entries = await vscode.workspace.fs.readDirectory(uri);
    entries.sort(([a, ta], [b, tb]) => (tb & vscode.FileType.Directory) - (ta & vscode.FileType.Directory) || a.localeCompare(b));
    const shown = entries.slice(0, LIST_FOLDER_MAX_ENTRIES).map(([name, type]) => (type & vscode.FileType.Directory ? `${name}/` : name));
    const more = entries.length > shown.length ? `\n[${entries.length - shown.length} more entries not shown]` : '';
    const title = `Folder ${workspaceRelative(uri) || '.'} (${entries.length} entries)`;
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(`${title}\n${shown.join('\n')}${more}`)]);
  },
};
