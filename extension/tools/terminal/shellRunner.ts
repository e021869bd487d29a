import * as vscode from 'vscode';
import { STORED_OUTPUT_MAX_CHARS } from '../outputBounds';
import { BoundedCollector } from './commandResult';

/** How long a new terminal gets for its shell integration to start before the command falls back to a child process. */
export const SHELL_INTEGRATION_WAIT_MS = 6_000;
/** After Ctrl+C, how long the command gets to stop before its terminal is disposed (which kills it). */
const STOP_GRACE_MS = 3_000;
/** After the end event, how long the output stream gets to deliver its last chunks. */
const READ_DRAIN_MS = 1_000;

export interface ShellRun {
  exitCode: number | undefined;
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  truncated: boolean;
}

function shellQuote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs commands in one reusable terminal named "Compactor" through VS Code's
 * shell integration (stable API): the person sees the command run, and the
 * exit code and output are captured. `run` resolves undefined when shell
 * integration is not available, so the caller can fall back.
 */
export class ShellRunner implements vscode.Disposable {
  private terminal: vscode.Terminal | undefined;
  private busy = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      vscode.window.onDidCloseTerminal((t) => {
        if (t === this.terminal) this.terminal = undefined;
      }),
    );
  }

  /** Why the terminal cannot be used right now, or undefined. */
  get unavailableReason(): string | undefined {
    return this.busy ? 'another command is still running in the Compactor terminal' : undefined;
  }

  private async integration(cwd: string): Promise<vscode.TerminalShellIntegration | undefined> {
    if (!this.terminal || this.terminal.exitStatus !== undefined) {
      this.terminal = vscode.window.createTerminal({ name: 'Compactor', cwd, isTransient: true });
    }
    const terminal = this.terminal;
    terminal.show(true);
    if (terminal.shellIntegration) return terminal.shellIntegration;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(terminal.shellIntegration);
      }, SHELL_INTEGRATION_WAIT_MS);
      const sub = vscode.window.onDidChangeTerminalShellIntegration((e) => {
        if (e.terminal !== terminal) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(e.shellIntegration);
      });
    });
  }

  async run(command: string, cwd: string, timeoutMs: number, token: vscode.CancellationToken): Promise<ShellRun | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      const integration = await this.integration(cwd);
      if (!integration) {
        // A terminal without integration is of no use to the agent; the next command tries a fresh one.
        this.terminal?.dispose();
        this.terminal = undefined;
        return undefined;
      }
      const terminal = this.terminal!;
      const here = integration.cwd?.scheme === 'file' ? integration.cwd.fsPath : undefined;
      const commandLine = here === cwd ? command : `cd ${shellQuote(cwd)} && ${command}`;
      const collector = new BoundedCollector(STORED_OUTPUT_MAX_CHARS);
      let exitCode: number | undefined;
      let ended!: () => void;
      const end = new Promise<void>((resolve) => (ended = resolve));
      const execution = integration.executeCommand(commandLine);
      const subs = [
        vscode.window.onDidEndTerminalShellExecution((e) => {
          if (e.execution !== execution) return;
          exitCode = e.exitCode;
          ended();
        }),
        vscode.window.onDidCloseTerminal((t) => {
          if (t === terminal) ended();
        }),
      ];
      // read() must start right away, or early output is missed.
      const reading = (async () => {
        for await (const data of execution.read()) collector.push(data);
      })().catch(() => undefined);
      let timedOut = false;
      let cancelled = false;
      const stopped = new Promise<'timeout' | 'cancel'>((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), timeoutMs);
        subs.push({ dispose: () => clearTimeout(timer) }, token.onCancellationRequested(() => resolve('cancel')));
      });
      const first = await Promise.race([end.then(() => 'end' as const), stopped]);
      if (first !== 'end') {
        timedOut = first === 'timeout';
        cancelled = first === 'cancel';
        terminal.sendText('\u0003', false);
        const stoppedInTime = await Promise.race([end.then(() => true), wait(STOP_GRACE_MS).then(() => false)]);
        if (!stoppedInTime) {
          terminal.dispose(); // kills the shell and what it runs
          this.terminal = undefined;
        }
      }
      await Promise.race([reading, wait(READ_DRAIN_MS)]);
      for (const s of subs) s.dispose();
      return { exitCode: first === 'end' ? exitCode : undefined, output: collector.text(), timedOut, cancelled, truncated: collector.truncated };
    } finally {
      this.busy = false;
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.terminal?.dispose();
    this.terminal = undefined;
  }
}
