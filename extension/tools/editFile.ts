import * as vscode from 'vscode';
import { diffExcerpt, lineAt, replaceExactPassage } from './exactPassage';
import { currentDocument, replaceRange } from './fileEdits';
import { EDIT_FILE_TOOL, EditFileInput, parseToolInput } from './toolInputs';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

type Input = { path: string; oldText: string; newText: string };

/** Computes the edit against the file as the editor has it; throws a sentence the model can act on. */
async function plan(raw: unknown) {
  const input = parseToolInput(EDIT_FILE_TOOL, EditFileInput, raw);
  const uri = resolveWorkspacePath(input.path);
  const rel = workspaceRelative(uri);
  let doc: vscode.TextDocument;
  try {
    doc = await currentDocument(uri);
  } catch {
    throw new Error(`${rel} does not exist (or is not a text file); use compactor_createFile to create it.`);
  }
  const original = doc.getText();
  const edit = replaceExactPassage(original, input.oldText, input.newText, rel);
  if (!edit.ok) throw new Error(edit.message);
  return { doc, rel, original, edit };
}

/** Replaces one exact passage of a workspace file, after the person reviewed the diff. */
export const editFileTool: vscode.LanguageModelTool<Input> = {
  async prepareInvocation(options) {
    try {
      const { rel, original, edit } = await plan(options.input);
      const message = new vscode.MarkdownString();
      message.appendCodeblock(diffExcerpt(rel, original, edit), 'diff');
      return {
        invocationMessage: `Editing ${rel}`,
        confirmationMessages: { title: `Edit ${rel}?`, message },
      };
    } catch {
      // Nothing to review: invoke reports why the edit cannot be made (and changes nothing).
      return { invocationMessage: `Checking an edit of ${String((options.input as { path?: unknown }).path ?? 'a file')}` };
    }
  },
  async invoke(options) {
    const { doc, rel, original, edit } = await plan(options.input);
    await replaceRange(doc, edit.offset, edit.length, edit.inserted, `@compactor: edit ${rel}`);
    const line = lineAt(original, edit.offset);
    const text = `Edited ${rel} at line ${line} (saved; Ctrl+Z in the editor undoes it):\n${diffExcerpt(rel, original, edit)}`;
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
  },
};
