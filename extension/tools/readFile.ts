import * as vscode from 'vscode';
import type * as z from 'zod';
import { READ_FILE_TOOL, ReadFileInput } from './toolInputs';
import { READ_FILE_MAX_CHARS } from './toolLimits';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

export { READ_FILE_TOOL };

const Input = ReadFileInput;

/** Reads a workspace file (or a line range of it), with line numbers. */
export const readFileTool: vscode.LanguageModelTool<z.infer<typeof Input>> = {
  prepareInvocation(options) {
    return { invocationMessage: `Reading ${String((options.input as { path?: unknown }).path ?? 'a file')}` };
  },
  async invoke(options) {
    const input = Input.parse(options.input);
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
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(`${header}\n${body}${more}`)]);
  },
};
