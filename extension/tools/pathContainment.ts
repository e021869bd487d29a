/**
 * Is a path the model names inside the workspace? No vscode import, so the
 * rule is unit-tested in plain Node (workspacePaths.ts applies it to URIs).
 *
 * Lexical first (`..` and absolute paths), then real: a symlink inside the
 * workspace that points outside it does not make its target editable. A path
 * that does not exist yet (a file to create) is judged by its deepest existing
 * ancestor.
 */
import * as nodePath from 'node:path';

export interface RealPathFs {
  /** Resolves symlinks; throws when the path does not exist. */
  realpath(path: string): string;
}

/** `path` resolved against the first root, after checking it is inside one of `roots`. Throws a sentence the model can act on. */
export function containedPath(input: string, roots: readonly string[], fs: RealPathFs): string {
  if (roots.length === 0) throw new Error('No folder is open, so there is no workspace to work in.');
  const cleaned = input.trim();
  if (cleaned.includes('\u0000')) throw new Error(`${JSON.stringify(input)} is not a valid path.`);
  const resolved = nodePath.isAbsolute(cleaned) ? nodePath.resolve(cleaned) : nodePath.resolve(roots[0]!, cleaned === '' ? '.' : cleaned);
  const lexicalRoots = roots.map((r) => nodePath.resolve(r));
  if (!lexicalRoots.some((root) => isInside(resolved, root))) {
    throw new Error(`${input} is outside the workspace (${lexicalRoots.join(', ')}); only files inside the workspace can be used.`);
  }
  const real = realOfDeepestAncestor(resolved, fs);
  const realRoots = lexicalRoots.map((r) => safeRealpath(r, fs) ?? r);
  if (!realRoots.some((root) => isInside(real, root))) {
    throw new Error(`${input} resolves (through a symbolic link) to ${real}, which is outside the workspace; refused.`);
  }
  return resolved;
}

export function isInside(path: string, root: string): boolean {
  const rel = nodePath.relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}

function safeRealpath(path: string, fs: RealPathFs): string | undefined {
  try {
    return fs.realpath(path);
  } catch {
    return undefined;
  }
}

/** The real path of `path`: its deepest existing ancestor's real path joined with the part that does not exist yet. */
function realOfDeepestAncestor(path: string, fs: RealPathFs): string {
  let current = path;
  const rest: string[] = [];
  for (;;) {
    const real = safeRealpath(current, fs);
    if (real !== undefined) return rest.length ? nodePath.join(real, ...rest.reverse()) : real;
    const parent = nodePath.dirname(current);
    if (parent === current) return path;
    rest.push(nodePath.basename(current));
    current = parent;
  }
}
