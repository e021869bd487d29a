/**
 * Counting a 1,000,000-character unbroken run against 1,000,000 characters of
 * ordinary text (the corpus texts joined), with the engine counter, fresh per
 * run (so nothing is served from its cache), interleaved run by run. Before
 * chunking (src/compaction/tokens/encoderChunks.ts) a 200K run took ~23 s and
 * a 1M run failed in the wasm.
 *
 * And in the compaction server (dist/server.js, the shipped bundle, over
 * stdio): a count of a 1M run, then a small count sent right after it; the
 * small one's latency from sending to its answer.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { Methods } from '../../src/compaction/protocol';
import { createTokenCounter } from '../../src/compaction/tokens/counter';
import { interleave, median, pairedRatio, round, timeOnce } from './stats';

/** Counting a run ≤ this × the time of the same length of ordinary text. */
export const LONG_RUN_MAX_RATIO = 2;
/** A small request sent right after a 1M-character run answers within this (ms). */
export const SMALL_AFTER_RUN_MAX_MS = 1_000;

const RUN_CHARS = 1_000_000;

let seed = 2024;
const pick = (alphabet: string, n: number) => {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = alphabet[((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % alphabet.length]!;
  return out.join('');
};

/** The runs timed. `inTarget: false`: reported, not part of the target (see the note). */
const RUNS: Array<{ name: string; make: () => string; inTarget: boolean }> = [
  { name: 'one letter ("x" × 1M)', make: () => 'x'.repeat(RUN_CHARS), inTarget: true },
  { name: 'random letters (base64 without digits)', make: () => pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', RUN_CHARS), inTarget: true },
  { name: 'random base64', make: () => pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/', RUN_CHARS), inTarget: true },
  { name: 'punctuation', make: () => pick('=-*#~.,;:!?()[]{}<>+&%$@^|', RUN_CHARS), inTarget: true },
  { name: 'spaces', make: () => ' '.repeat(RUN_CHARS), inTarget: true },
  { name: 'tabs', make: () => '\t'.repeat(RUN_CHARS), inTarget: true },
  { name: 'random CJK characters', make: () => pick('的一是不了人我在有他这中大来上个国和也子时道出会', RUN_CHARS), inTarget: false },
];

export interface LongRunRow {
  name: string;
  /** Median over runs of (this run's ms / ordinary text's ms in the same round). */
  vsProse: number;
  medianMs: number;
  tokens: number;
  inTarget: boolean;
}

export interface ServerLatency {
  status: 'measured' | 'skipped';
  note: string;
  runs?: number;
  /** Median ms from sending the small request to its answer. */
  smallMs?: number;
  /** Worst of the runs. */
  smallMaxMs?: number;
  /** Median ms of the 1M-run request itself. */
  bigMs?: number;
  /** In every run the small request was answered before the big one. */
  smallFirst?: boolean;
}

export interface LongRunsResult {
  runs: number;
  proseChars: number;
  proseMs: number;
  rows: LongRunRow[];
  server: ServerLatency;
  note: string;
}

/** The first 1M characters of the corpus texts, joined with newlines: ordinary text of the same length. */
function ordinaryText(texts: readonly string[]): string {
  let s = '';
  for (const t of texts) {
    s += `${t}\n`;
    if (s.length >= RUN_CHARS) break;
  }
  return s.slice(0, RUN_CHARS);
}

async function serverLatency(repoRoot: string, runs: number): Promise<ServerLatency> {
  const entry = join(repoRoot, 'dist', 'server.js');
  if (!existsSync(entry)) return { status: 'skipped', note: `${entry} missing (the bundle section builds it)` };
  const child = spawn(process.execPath, [entry, '--stdio'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.listen();
  try {
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await connection.sendNotification('initialized', {});
    await connection.sendRequest(Methods.count, { model: 'gpt-4o', texts: ['load the tokenizer'] });
    const small: number[] = [];
    const big: number[] = [];
    let smallFirst = true;
    for (let r = 0; r < runs; r++) {
      // A different run each time, so the server's cache cannot answer it.
      const run = pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', RUN_CHARS);
      const order: string[] = [];
      const t0 = performance.now();
      const bigDone = connection.sendRequest(Methods.count, { model: 'gpt-4o', texts: [run] }).then(() => {
        order.push('big');
        big.push(performance.now() - t0);
      });
      const t1 = performance.now();
      const smallDone = connection.sendRequest(Methods.count, { model: 'gpt-4o', texts: ['hello world'] }).then(() => {
        order.push('small');
        small.push(performance.now() - t1);
      });
      await Promise.all([bigDone, smallDone]);
      if (order[0] !== 'small') smallFirst = false;
    }
    return {
      status: 'measured',
      note: 'dist/server.js over stdio; a count of 1M random letters, then "hello world" sent right after it; latency of the small one from sending to its answer',
      runs,
      smallMs: round(median(small)),
      smallMaxMs: round(Math.max(...small)),
      bigMs: round(median(big)),
      smallFirst,
    };
  } finally {
    connection.dispose();
    child.stdin?.end();
    child.kill();
  }
}

export async function benchLongRuns(repoRoot: string, texts: readonly string[], runs: number): Promise<LongRunsResult> {
  const prose = ordinaryText(texts);
  const inputs = RUNS.map((r) => ({ ...r, text: r.make() }));
  const tokens = new Map<string, number>();
  const contenders = [{ name: 'prose', text: prose }, ...inputs].map((c) => ({
    name: c.name,
    measure: () => {
      const counter = createTokenCounter();
      return timeOnce(() => tokens.set(c.name, counter.countText(c.text)));
    },
  }));
  const times = interleave(contenders, runs);
  const proseTimes = times.get('prose')!;
  return {
    runs,
    proseChars: prose.length,
    proseMs: round(median(proseTimes)),
    rows: inputs.map((r) => ({
      name: r.name,
      vsProse: round(pairedRatio(times.get(r.name)!, proseTimes)),
      medianMs: round(median(times.get(r.name)!)),
      tokens: tokens.get(r.name)!,
      inTarget: r.inTarget,
    })),
    server: await serverLatency(repoRoot, Math.min(runs, 5)),
    note:
      'engine counter (createTokenCounter, fresh per run), 1,000,000 characters each; ordinary text = the corpus texts joined. Random CJK characters are slow per character in short pieces as well (3 UTF-8 bytes each, few merges): no long-run cliff, so they are reported but not in the target',
  };
}
