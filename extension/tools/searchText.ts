import * as vscode from 'vscode';
import { readOnlyTool } from './readOnlyTool';
import { SEARCH_TEXT_TOOL, SearchTextInput } from './toolInputs';
import { SEARCH_EXCLUDE_GLOB, SEARCH_MAX_FILE_BYTES, SEARCH_MAX_FILES, SEARCH_MAX_MATCHES } from './toolLimits';
import { workspaceRelative } from './workspacePaths';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Searches the text of workspace files (stable API only: findFiles + read),
 * bounded in files scanned and matches returned.
 */
export const searchTextTool = readOnlyTool({
  name: SEARCH_TEXT_TOOL,
  input: SearchTextInput,
  message: (raw) => `Searching for ${JSON.stringify(raw.query ?? '')}`,
  async answer(input, token) {
    const pattern = new RegExp(input.isRegex ? input.query : escapeRegExp(input.query), 'i');
    const files = await vscode.workspace.findFiles(input.include ?? '**/*', SEARCH_EXCLUDE_GLOB, SEARCH_MAX_FILES, token);
    const matches: string[] = [];
    const decoder = new TextDecoder();
    for (const file of files) {
      if (token.isCancellationRequested || matches.length >= SEARCH_MAX_MATCHES) break;
      const stat = await vscode.workspace.fs.stat(file);
      if (stat.size > SEARCH_MAX_FILE_BYTES) continue;
      const text = decoder.decode(await vscode.workspace.fs.readFile(file));
      if (text.includes('\u0000')) continue; // binary
      const lines = text.split(/\r?\n/);
      for (let i = 0; i < lines.length && matches.length < SEARCH_MAX_MATCHES; i++) {
        if (pattern.test(lines[i]!)) matches.push(`${workspaceRelative(file)}:${i + 1}: ${lines[i]!.trim().slice(0, 200)}`);
      }
    }
    const header = matches.length === 0 ? `No matches for ${JSON.stringify(input.query)}.` : `${matches.length} matches for ${JSON.stringify(input.query)}${matches.length >= SEARCH_MAX_MATCHES ? ' (first ' + SEARCH_MAX_MATCHES + ')' : ''}:`;
    return [header, ...matches].join('\n');
  },
});
