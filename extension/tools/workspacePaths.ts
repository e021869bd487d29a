import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { containedPath } from './pathContainment';

/**
 * Resolves a path given by the model to a URI inside the workspace. Absolute
 * paths outside every workspace folder, `..` escapes and symbolic links that
 * lead out are refused: the tools only read and change what the user opened.
 * Local folders use the real file system (pathContainment.ts); other schemes
 * (virtual workspaces) get the lexical check only.
 */
export function resolveWorkspacePath(path: string): vscode.Uri {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new Error('No folder is open, so there is nothing to read.');
  if (folders.every((f) => f.uri.scheme === 'file')) {
    const cleaned = path.trim().replace(/^file:\/\//, '');
    return vscode.Uri.file(containedPath(cleaned, folders.map((f) => f.uri.fsPath), { realpath: (p) => fs.realpathSync.native(p) }));
  }
  const cleaned = path.trim().replace(/^\.\/+/, '');
  const candidate = cleaned.startsWith('/')
    ? folders[0]!.uri.with({ path: cleaned })
    : vscode.Uri.joinPath(folders[0]!.uri, cleaned === '' || cleaned === '.' ? '' : cleaned);
  const inside = folders.some((f) => {
    const root = f.uri.path.endsWith('/') ? f.uri.path : `${f.uri.path}/`;
    return candidate.path === f.uri.path || candidate.path.startsWith(root);
  });
  if (!inside || candidate.path.split('/').includes('..')) throw new Error(`${path} is outside the workspace.`);
  return candidate;
}

/** The workspace folder a URI lies in (for a terminal's working directory), or undefined. */
export function workspaceFolderOf(uri: vscode.Uri): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.getWorkspaceFolder(uri);
}

export function workspaceRelative(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, false);
}
