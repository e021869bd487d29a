import * as vscode from 'vscode';
import { readOnlyTool } from './readOnlyTool';
import { DIAGNOSTICS_TOOL, DiagnosticsInput } from './toolInputs';
import { DIAGNOSTICS_MAX } from './toolLimits';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

/** Reads the problems VS Code knows of, for one file or the whole workspace. */
export const diagnosticsTool = readOnlyTool({
  name: DIAGNOSTICS_TOOL,
  input: DiagnosticsInput,
  message: () => 'Reading problems',
  async answer(input) {
    const entries: Array<[vscode.Uri, readonly vscode.Diagnostic[]]> = input.path
      ? [[resolveWorkspacePath(input.path), vscode.languages.getDiagnostics(resolveWorkspacePath(input.path))]]
      : vscode.languages.getDiagnostics();
    const lines: string[] = [];
    for (const [uri, diagnostics] of entries) {
      for (const d of diagnostics) {
        if (lines.length >= DIAGNOSTICS_MAX) break;
        lines.push(`${workspaceRelative(uri)}:${d.range.start.line + 1}:${d.range.start.character + 1} ${SEVERITY[d.severity]}: ${d.message}${d.source ? ` (${d.source})` : ''}`);
      }
    }
    return lines.length === 0 ? 'No problems reported.' : `${lines.length} problems:\n${lines.join('\n')}`;
  },
});
