/**
 * The FileReader of the restore tier: reads a file the session read earlier
 * through `workspace.fs`, only inside the workspace (the same rule as the read
 * tool, tools/workspacePaths.ts). A missing, unreadable, binary or outside
 * file reads as undefined, so it is simply not re-attached.
 */
import * as vscode from 'vscode';
import type { FileReader } from '../../src/compaction/llm/summarizer';
import { resolveWorkspacePath } from '../tools/workspacePaths';

/** Larger files are not worth reading whole to keep their first 5,000 tokens. */
const MAX_FILE_BYTES = 2_000_000;

export function workspaceFileReader(): FileReader {
  return {
    async read(path) {
      let uri: vscode.Uri;
      try {
        uri = resolveWorkspacePath(path);
      } catch {
        return undefined;
      }
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.type !== vscode.FileType.File || stat.size > MAX_FILE_BYTES) return undefined;
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        return text.includes('\u0000') ? undefined : text;
      } catch {
        return undefined;
      }
    },
  };
}
