import * as vscode from 'vscode';

/**
 * Resolves a path given by the model to a URI inside the workspace. Absolute
 * paths outside every workspace folder, and `..` escapes, are refused: the
 * tools only read what the user opened.
 */
export function resolveWorkspacePath(path: string): vscode.Uri {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new Error('No folder is open, so there is nothing to read.');
  const cleaned = path.trim().replace(/^\.\/+/, '');
  const candidate = cleaned.startsWith('/')
    ? vscode.Uri.file(cleaned)
    : vscode.Uri.joinPath(folders[0]!.uri, cleaned === '' || cleaned === '.' ? '' : cleaned);
  const inside = folders.some((f) => {
    const root = f.uri.path.endsWith('/') ? f.uri.path : `${f.uri.path}/`;
    return candidate.path === f.uri.path || candidate.path.startsWith(root);
  });
  if (!inside) throw new Error(`${path} is outside the workspace.`);
  return candidate;
}

export function workspaceRelative(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, false);
}
