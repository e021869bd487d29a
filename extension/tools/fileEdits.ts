import * as vscode from 'vscode';

/**
 * Changes to files go through a `WorkspaceEdit`, never straight to disk: the
 * change lands in VS Code's undo stack (Ctrl+Z in the editor takes it back),
 * shows in an open editor, and is then saved so commands and tests the agent
 * runs next see it on disk.
 */

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The file's text as the editor has it (unsaved changes included). */
export async function currentDocument(uri: vscode.Uri): Promise<vscode.TextDocument> {
  return vscode.workspace.openTextDocument(uri);
}

async function applyAndSave(edit: vscode.WorkspaceEdit, uri: vscode.Uri, what: string): Promise<vscode.TextDocument> {
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`VS Code did not apply the ${what} of ${vscode.workspace.asRelativePath(uri, false)}; nothing was changed.`);
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.isDirty && !(await doc.save())) throw new Error(`The ${what} of ${vscode.workspace.asRelativePath(uri, false)} was applied in the editor but could not be saved to disk.`);
  // Shown (without taking focus) so the person sees the change where they can undo it.
  await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: true }).then(undefined, () => undefined);
  return doc;
}

/** Replaces `length` UTF-16 units at `offset` of the open document with `inserted`. */
export async function replaceRange(doc: vscode.TextDocument, offset: number, length: number, inserted: string, label: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + length)), inserted, { label, needsConfirmation: false });
  await applyAndSave(edit, doc.uri, 'edit');
}

/** Replaces the whole text of an existing file. */
export async function replaceAll(uri: vscode.Uri, content: string, label: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), content, { label, needsConfirmation: false });
  await applyAndSave(edit, uri, 'rewrite');
}

/** Creates a new file with `content` (its folders too); fails when it exists. */
export async function createNew(uri: vscode.Uri, content: string, label: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(uri, { overwrite: false, ignoreIfExists: false, contents: new TextEncoder().encode(content) }, { label, needsConfirmation: false });
  await applyAndSave(edit, uri, 'creation');
}
