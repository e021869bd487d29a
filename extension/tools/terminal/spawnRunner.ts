/**
 * The fallback when VS Code's terminal has no shell integration (it may not
 * activate: an unsupported shell, a remote without it, a slow start): the
 * command runs as a child process in its own process group, so a timeout or a
 * cancellation stops it and everything it started. No vscode import: tested
 * in plain Node.
 */
import { spawn } from 'node:child_process';
import { STORED_OUTPUT_MAX_CHARS } from '../outputBounds';
import { BoundedCollector } from './commandResult';

export interface SpawnRun {
  exitCode: number | undefined;
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  truncated: boolean;
}

export interface SpawnOptions {
  command: string;
  cwd: string;
  timeoutMs: number;
  /** Registers a cancellation listener; returns its disposer. */
  onCancel?: (listener: () => void) => () => void;
  /** Grace after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  maxChars?: number;
  shell?: string;
}

export function runWithSpawn(options: SpawnOptions): Promise<SpawnRun> {
  return new Promise((resolve) => {
    const collector = new BoundedCollector(options.maxChars ?? STORED_OUTPUT_MAX_CHARS);
    const child = spawn(options.command, {
      cwd: options.cwd,
      shell: options.shell ?? process.env.SHELL ?? true,
      detached: true, // own process group: killing -pid stops the command and its children
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'dumb', NO_COLOR: '1' },
    });
    const decoderOut = new TextDecoder('utf-8', { fatal: false });
    const decoderErr = new TextDecoder('utf-8', { fatal: false });
    child.stdout.on('data', (b: Buffer) => collector.push(decoderOut.decode(b, { stream: true })));
    child.stderr.on('data', (b: Buffer) => collector.push(decoderErr.decode(b, { stream: true })));
    let timedOut = false;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.pid === undefined || child.exitCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      killTimer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, options.killGraceMs ?? 2_000);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const disposeCancel = options.onCancel?.(() => {
      cancelled = true;
      stop();
    });
    let settled = false;
    const finish = (exitCode: number | undefined, extra?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      disposeCancel?.();
      if (extra) collector.push(extra);
      resolve({ exitCode, output: collector.text(), timedOut, cancelled, truncated: collector.truncated });
    };
    child.on('error', (err) => finish(undefined, `\n[could not start the command: ${err.message}]`));
    child.on('close', (code, signal) => finish(code ?? undefined, signal && !timedOut && !cancelled ? `\n[killed by ${signal}]` : undefined));
  });
}
