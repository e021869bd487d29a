import * as vscode from 'vscode';
import { contentSummary } from './exactPassage';
import { createNew, exists, replaceAll } from './fileEdits';
import { parseToolInput, WRITE_FILE_TOOL, WriteFileInput } from './toolInputs';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

type Input = { path: string; content: string };

async function plan(raw: unknown) {
  const input = parseToolInput(WRITE_FILE_TOOL, WriteFileInput, raw);
  const uri = resolveWorkspacePath(input.path);
  return { uri, rel: workspaceRelative(uri), content: input.content, existed: await exists(uri) };
}

/** Writes a whole workspace file (replacing it, or creating it), after the person reviewed path, size and first lines. */
export const writeFileTool: vscode.LanguageModelTool<Input> = {
  async prepareInvocation(options) {
    try {
      const { rel, content, existed } = await plan(options.input);
      const summary = contentSummary(content).split('\n');
      const message = new vscode.MarkdownString(`${existed ? 'Replace the whole of' : 'New file'} \`${rel}\` with `);
      message.appendText(summary[0]!);
      message.appendCodeblock(summary.slice(1).join('\n'));
      return { invocationMessage: `Writing ${rel}`, confirmationMessages: { title: `${existed ? 'Overwrite' : 'Create'} ${rel}?`, message } };
    } catch {
      return { invocationMessage: `Checking ${String((options.input as { path?: unknown }).path ?? 'a file')}` };
    }
  },
  async invoke(options) {
    const { uri, rel, content, existed } = await plan(options.input);
    if (existed) await replaceAll(uri, content, `@compactor: write ${rel}`);
    else await createNew(uri, content, `@compactor: create ${rel}`);
    return new vscode.LanguageModelToolResult([
      new vscode.LanguageModelTextPart(`${existed ? 'Replaced' : 'Created'} ${rel} (${contentSummary(content, 0).split(':')[0]}; saved, Ctrl+Z in the editor undoes it).`),
    ]);
  },
};
