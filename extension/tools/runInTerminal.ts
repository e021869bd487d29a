import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { formatOutcome, type CommandOutcome } from './terminal/commandResult';
import type { ShellRunner } from './terminal/shellRunner';
import { runWithSpawn } from './terminal/spawnRunner';
import { parseToolInput, RUN_IN_TERMINAL_TOOL, RunInTerminalInput, TERMINAL_TIMEOUT_DEFAULT_SECONDS } from './toolInputs';
import { resolveWorkspacePath, workspaceRelative } from './workspacePaths';

type Input = { command: string; cwd?: string; timeoutSeconds?: number };

async function plan(raw: unknown) {
  const input = parseToolInput(RUN_IN_TERMINAL_TOOL, RunInTerminalInput, raw);
  const cwdUri = resolveWorkspacePath(input.cwd ?? '.');
  if (cwdUri.scheme !== 'file') throw new Error('Commands can only run in a folder on this machine (the workspace is not a local folder).');
  const stat = await fs.stat(cwdUri.fsPath).catch(() => undefined);
  if (!stat?.isDirectory()) throw new Error(`The working directory ${input.cwd} is not a folder of the workspace.`);
  return {
    command: input.command,
    cwd: cwdUri.fsPath,
    cwdLabel: workspaceRelative(cwdUri) === cwdUri.fsPath ? '.' : workspaceRelative(cwdUri) || '.',
    timeoutSeconds: input.timeoutSeconds ?? TERMINAL_TIMEOUT_DEFAULT_SECONDS,
  };
}

/**
 * Runs a shell command in the workspace, after the person reviewed it: in the
 * "Compactor" terminal through shell integration, or — when shell integration
 * does not start — as a child process (the result says which). The tool's
 * result carries the whole output (up to the stored bound); the chat loop
 * decides how much of it the model sees (outputBounds.ts).
 */
export function runInTerminalTool(shell: ShellRunner): vscode.LanguageModelTool<Input> {
  return {
    async prepareInvocation(options) {
      try {
        const { command, cwdLabel, timeoutSeconds } = await plan(options.input);
        const message = new vscode.MarkdownString();
        message.appendCodeblock(command, 'sh');
        message.appendMarkdown(`in \`${cwdLabel}\` · stopped after ${timeoutSeconds} s`);
        return { invocationMessage: `Running \`${command.split('\n')[0]}\``, confirmationMessages: { title: 'Run this command in the terminal?', message } };
      } catch {
        return { invocationMessage: 'Checking a command' };
      }
    },
    async invoke(options, token) {
      const { command, cwd, cwdLabel, timeoutSeconds } = await plan(options.input);
      const timeoutMs = timeoutSeconds * 1000;
      const base = { command, cwd: cwdLabel, timeoutSeconds };
      let outcome: CommandOutcome;
      const busy = shell.unavailableReason;
      const viaShell = busy ? undefined : await shell.run(command, cwd, timeoutMs, token);
      if (viaShell) {
        outcome = { ...base, ...viaShell, via: 'terminal', truncatedWhileCapturing: viaShell.truncated };
      } else {
        const run = await runWithSpawn({
          command,
          cwd,
          timeoutMs,
          onCancel: (listener) => {
            const sub = token.onCancellationRequested(listener);
            return () => sub.dispose();
          },
        });
        outcome = {
          ...base,
          ...run,
          via: 'process',
          truncatedWhileCapturing: run.truncated,
          note: busy
            ? `Ran as a child process because ${busy}.`
            : 'VS Code’s terminal shell integration did not start, so the command ran as a child process (same folder, timeout and cancellation; no interactive input).',
        };
      }
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(formatOutcome(outcome))]);
    },
  };
}
