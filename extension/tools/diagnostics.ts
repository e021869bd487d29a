import * as vscode from 'vscode';
import type * as z from 'zod';
import { DIAGNOSTICS_TOOL, DiagnosticsInput } from './toolInputs';
import { DIAGNOSTICS_MAX } from './toolLimits';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

export { DIAGNOSTICS_TOOL };

const Input = DiagnosticsInput;

const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

/** Reads the problems VS Code knows of, for one file or the whole workspace. */
export const diagnosticsTool: vscode.LanguageModelTool<z.infer<typeof Input>> = {
  prepareInvocation() {
    return { invocationMessage: 'Reading problems' };
  },
  async invoke(options) {
    const input = Input.parse(options.input ?? {});
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
    const text = lines.length === 0 ? 'No problems reported.' : `${lines.length} problems:\n${lines.join('\n')}`;
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
  },
};
