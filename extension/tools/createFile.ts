import * as vscode from 'vscode';
import { contentSummary } from './exactPassage';
import { createNew, exists } from './fileEdits';
import { CREATE_FILE_TOOL, CreateFileInput, parseToolInput } from './toolInputs';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

type Input = { path: string; content: string };

async function plan(raw: unknown) {
  const input = parseToolInput(CREATE_FILE_TOOL, CreateFileInput, raw);
  const uri = resolveWorkspacePath(input.path);
  const rel = workspaceRelative(uri);
  if (await exists(uri)) throw new Error(`${rel} already exists; nothing was changed. Use compactor_editFile to change part of it or compactor_writeFile to replace it.`);
  return { uri, rel, content: input.content };
}

/** Creates a new workspace file, after the person reviewed its path, size and first lines. */
export const createFileTool: vscode.LanguageModelTool<Input> = {
  async prepareInvocation(options) {
    try {
      const { rel, content } = await plan(options.input);
      const message = new vscode.MarkdownString(`New file \`${rel}\`, `);
      message.appendText(contentSummary(content).split('\n')[0]!);
      message.appendCodeblock(contentSummary(content).split('\n').slice(1).join('\n'));
      return { invocationMessage: `Creating ${rel}`, confirmationMessages: { title: `Create ${rel}?`, message } };
    } catch {
      return { invocationMessage: `Checking ${String((options.input as { path?: unknown }).path ?? 'a file')}` };
    }
  },
  async invoke(options) {
    const { uri, rel, content } = await plan(options.input);
    await createNew(uri, content, `@compactor: create ${rel}`);
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(`Created ${rel} (${contentSummary(content, 0).split(':')[0]}).`)]);
  },
};
