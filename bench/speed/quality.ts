/**
 * The quality comparison (bench/quality.ts, owned by its own author) as part
 * of `npm run bench`. That script runs on import and exports no function, so
 * it runs here as a child process; it writes bench/QUALITY.md and
 * bench/quality.json itself. Only whether it ran, its time and its summary
 * lines are kept here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface QualityRun {
  ran: boolean;
  exitCode: number | null;
  wallSeconds: number;
  /** The last lines of its error output when it failed. */
  error?: string;
  outputs: string[];
}

export function runQuality(repoRoot: string, timeoutMs: number): QualityRun {
  const script = join(repoRoot, 'bench', 'quality.ts');
  if (!existsSync(script)) return { ran: false, exitCode: null, wallSeconds: 0, error: 'bench/quality.ts not found', outputs: [] };
  const t0 = performance.now();
  const p = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, encoding: 'utf8', timeout: timeoutMs, env: process.env });
  const wallSeconds = Math.round((performance.now() - t0) / 100) / 10;
  const ok = p.status === 0;
  return {
    ran: ok,
    exitCode: p.status,
    wallSeconds,
    ...(ok ? {} : { error: (p.error ? String(p.error) : (p.stderr ?? '')).trim().split('\n').slice(-8).join('\n') }),
    outputs: ok ? ['bench/QUALITY.md', 'bench/quality.json'] : [],
  };
}
