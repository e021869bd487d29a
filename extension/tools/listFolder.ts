import * as vscode from 'vscode';
import { readOnlyTool } from './readOnlyTool';
import { LIST_FOLDER_TOOL, ListFolderInput } from './toolInputs';
import { LIST_FOLDER_MAX_ENTRIES } from './toolLimits';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

/** Lists a workspace folder: one entry a line, folders with a trailing slash. */
export const listFolderTool = readOnlyTool({
  name: LIST_FOLDER_TOOL,
  input: ListFolderInput,
  message: (raw) => `Listing ${String(raw.path ?? 'the workspace')}`,
  async answer(input) {
    const uri = resolveWorkspacePath(input.path);
    const entries = await vscode.workspace.fs.readDirectory(uri);
    entries.sort(([a, ta], [b, tb]) => (tb & vscode.FileType.Directory) - (ta & vscode.FileType.Directory) || a.localeCompare(b));
    const shown = entries.slice(0, LIST_FOLDER_MAX_ENTRIES).map(([name, type]) => (type & vscode.FileType.Directory ? `${name}/` : name));
    const more = entries.length > shown.length ? `\n[${entries.length - shown.length} more entries not shown]` : '';
    const title = `Folder ${workspaceRelative(uri) || '.'} (${entries.length} entries)`;
    return `${title}\n${shown.join('\n')}${more}`;
  },
});
