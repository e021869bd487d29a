/**
 * A finished (or stopped) command as the model reads it. No vscode import.
 */
import { sanitizeOutput, stripAnsi } from '../outputBounds';

export interface CommandOutcome {
  command: string;
  /** Workspace-relative working directory ('.' for the folder itself). */
  cwd: string;
  /** undefined when the shell did not report one (stopped, or unknown). */
  exitCode: number | undefined;
  /** Raw output as captured (escape sequences are removed here). */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  timeoutSeconds: number;
  /** How it ran: VS Code's terminal (shell integration) or a child process (fallback). */
  via: 'terminal' | 'process';
  /** Why the fallback was used, or anything else the model should know. */
  note?: string;
  /** True when the output had to be cut while capturing (it was larger than the stored bound). */
  truncatedWhileCapturing?: boolean;
}

/** Raw terminal output → text: escapes stripped, binary made safe. */
export function cleanOutput(raw: string): string {
  return sanitizeOutput(stripAnsi(raw)).replace(/\s+$/, '');
}

/** The tool result: one status line, then the whole (cleaned) output. The loop bounds what the model sees. */
export function formatOutcome(o: CommandOutcome): string {
  const status = o.cancelled
    ? 'was cancelled by the person (the process was stopped)'
    : o.timedOut
      ? `timed out after ${o.timeoutSeconds} s (the process was stopped)`
      : o.exitCode === undefined
        ? 'finished; the shell did not report an exit code'
        : `exited with code ${o.exitCode}`;
  const lines = [`$ ${o.command}`, `(in ${o.cwd}, ${o.via === 'terminal' ? 'VS Code terminal' : 'child process'}) ${status}.`];
  if (o.note) lines.push(o.note);
  if (o.truncatedWhileCapturing) lines.push('[the output was larger than the session log keeps; its middle was dropped while capturing]');
  const output = cleanOutput(o.output);
  lines.push(output ? `Output:\n${output}` : 'No output.');
  return lines.join('\n');
}

/**
 * Collects output up to a bound (head and tail kept, the middle dropped) so a
 * command that prints gigabytes cannot exhaust memory.
 */
export class BoundedCollector {
  private head = '';
  private tail = '';
  private dropped = 0;
  constructor(private readonly maxChars: number) {}

  push(chunk: string): void {
    const half = Math.floor(this.maxChars / 2);
    if (this.head.length < half) {
      const take = chunk.slice(0, half - this.head.length);
      this.head += take;
      chunk = chunk.slice(take.length);
    }
    if (!chunk) return;
    this.tail += chunk;
    if (this.tail.length > half * 2) {
      // Trimmed only when twice the budget, so a stream of small chunks costs linear time.
      const excess = this.tail.length - half;
      this.dropped += excess;
      this.tail = this.tail.slice(excess);
    }
  }

  get truncated(): boolean {
    return this.dropped > 0 || this.head.length + this.tail.length > this.maxChars;
  }

  text(): string {
    // push trims lazily (amortized); the result is trimmed exactly.
    const half = Math.floor(this.maxChars / 2);
    if (this.tail.length > half && (this.dropped > 0 || this.head.length + this.tail.length > this.maxChars)) {
      const excess = this.tail.length - half;
      this.dropped += excess;
      this.tail = this.tail.slice(excess);
    }
    return this.dropped > 0 ? `${this.head}\n[… ${this.dropped.toLocaleString('en-US')} characters dropped …]\n${this.tail}` : this.head + this.tail;
  }
}
