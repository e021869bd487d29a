import * as vscode from 'vscode';
import { readOnlyTool } from './readOnlyTool';
import { READ_FILE_TOOL, ReadFileInput } from './toolInputs';
import { READ_FILE_MAX_CHARS } from './toolLimits';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

/** Reads a workspace file (or a line range of it), with line numbers. */
export const readFileTool = readOnlyTool({
  name: READ_FILE_TOOL,
  input: ReadFileInput,
  message: (raw) => `Reading ${String(raw.path ?? 'a file')}`,
  async answer(input) {
    const uri = resolveWorkspacePath(input.path);
    const bytes = await vscode.workspace.fs.readFile(uri);
    const lines = new TextDecoder().decode(bytes).split(/\r?\n/);
    const start = input.startLine ?? 1;
    const end = Math.min(input.endLine ?? lines.length, lines.length);
    let body = '';
    let line = start;
    for (; line <= end; line++) {
      const next = `${line}\t${lines[line - 1] ?? ''}\n`;
      if (body.length + next.length > READ_FILE_MAX_CHARS) break;
      body += next;
    }
    const shown = line - 1;
    const header = `File ${workspaceRelative(uri)} (lines ${start}-${shown} of ${lines.length})`;
    const more = shown < end ? `\n[truncated: read lines ${shown + 1}-${end} with startLine/endLine]` : '';
    return `${header}\n${body}${more}`;
  },
});
