/**
 * What the figures were measured on, written next to them: absolute times only
 * mean something for this machine, and the ratios are compared run to run.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, loadavg } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started: other work on a shared machine. */
  loadAverage1m: number;
  date: string;
  commit: string;
}

function gitCommit(repoRoot: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(repoRoot: string): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    date: new Date().toISOString(),
    commit: gitCommit(repoRoot),
  };
}
