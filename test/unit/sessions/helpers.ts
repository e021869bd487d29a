/** Shared by the session tests: temp folders, a dead pid for stale locks, and small valid records. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppendableRecord } from '../../../extension/sessions/sessionStore';

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'compactor-sessions-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The pid of a process that has exited (so it is certainly dead): the owner of a stale lock. */
export function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid ?? 0));
  });
}

let clock = Date.parse('2025-03-01T10:00:00.000Z');
/** Strictly increasing ISO times, so ordering by time is deterministic. */
export function nextAt(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

export function userMessage(id: string, text: string, turn?: number, tokens = 5): AppendableRecord {
  return {
    type: 'message',
    id,
    at: nextAt(),
    role: 'user',
    parts: [{ type: 'text', text }],
    tokens,
    encoding: 'o200k_base',
    ...(turn === undefined ? {} : { turn }),
  };
}

export function assistantWithTool(id: string, turn?: number): AppendableRecord {
  return {
    type: 'message',
    id,
    at: nextAt(),
    role: 'assistant',
    parts: [
      { type: 'thinking', text: 'look at the file' },
      { type: 'text', text: 'Reading it.' },
      { type: 'tool_call', id: 'call-1', name: 'read_file', args: { path: 'src/a.ts' } },
    ],
    tokens: 20,
    encoding: 'o200k_base',
    ...(turn === undefined ? {} : { turn }),
  };
}

export function toolResult(id: string, text: string): AppendableRecord {
  return {
    type: 'message',
    id,
    at: nextAt(),
    role: 'tool',
    parts: [{ type: 'tool_result', callId: 'call-1', name: 'read_file', text }],
    tokens: 30,
    encoding: 'o200k_base',
  };
}

export function compaction(id: string, covered: string[], afterTokens: number): AppendableRecord {
  return {
    type: 'compaction',
    id,
    at: nextAt(),
    source: 'manual',
    strategy: 'extractive',
    tiers: [{ tier: 'summarize', count: 1 }],
    covered,
    summary: 'The user asked about a.ts.',
    summaryTokens: 8,
    before: { tokens: 100, messages: covered.length + 1 },
    after: { tokens: afterTokens, messages: 2 },
    durationMs: 12,
  };
}
