/**
 * `compactor stats` as a whole process on the largest corpus transcript,
 * against gpt-tokenizer counting the same raw file in a fresh `node -e`
 * (the fastest exact o200k_base tokenizer in counting.ts), interleaved run by
 * run; and the CLI's start-up alone (`--help`) against `node -e 0`.
 *
 * The CLI is measured as it ships (`dist/cli.js`, built by the bundle
 * section) with its tokenizer cache as a user has it after the first run
 * (the unrecorded warm-up run writes it: src/compaction/tokens/encoderSnapshot.ts);
 * a row with the cache turned off shows the first run's cost.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CORPUS_DIR } from './corpus';
import { median, pairedRatio, round } from './stats';

/** `compactor stats` whole process ≤ this × gpt-tokenizer counting the raw file. */
export const STATS_VS_GPT_MAX = 1.0;

export interface StatsProcessRow {
  name: string;
  command: string;
  wallMs: number;
  /** Median over runs of wall / the baseline's wall in the same round. */
  ratio: number;
  baseline: string;
}

export interface StatsProcessResult {
  file: string;
  bytes: number;
  runs: number;
  rows: StatsProcessRow[];
  note: string;
}

function largestTranscript(): { path: string; bytes: number } {
  const files = readdirSync(CORPUS_DIR)
    .filter((f) => !f.endsWith('.tsv') && !f.endsWith('.md'))
    .map((f) => ({ path: join(CORPUS_DIR, f), bytes: statSync(join(CORPUS_DIR, f)).size }))
    .sort((a, b) => b.bytes - a.bytes);
  if (files.length === 0) throw new Error(`no transcript in ${CORPUS_DIR}`);
  return files[0]!;
}

const GPT_COUNT = "const g = require('gpt-tokenizer/encoding/o200k_base'); process.stdout.write(String(g.countTokens(require('fs').readFileSync(process.argv[1], 'utf8'))))";

export function benchStatsProcess(repoRoot: string, runs: number): StatsProcessResult {
  const cli = join(repoRoot, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} missing: run node esbuild.mjs first`);
  const { path, bytes } = largestTranscript();
  const off = { ...process.env, COMPACTOR_TOKENIZER_CACHE: 'off' };
  const commands: Array<{ name: string; args: string[]; env?: NodeJS.ProcessEnv; display: string }> = [
    { name: 'compactor stats', args: [cli, 'stats', path], display: 'node dist/cli.js stats FILE' },
    { name: 'gpt-tokenizer', args: ['-e', GPT_COUNT, path], display: "node -e (gpt-tokenizer/encoding/o200k_base countTokens of the raw file)" },
    { name: 'compactor stats, tokenizer cache off', args: [cli, 'stats', path], env: off, display: 'COMPACTOR_TOKENIZER_CACHE=off node dist/cli.js stats FILE' },
    { name: 'compactor --help', args: [cli, '--help'], display: 'node dist/cli.js --help' },
    { name: 'node -e 0', args: ['-e', '0'], display: 'node -e 0' },
  ];
  const wall = new Map<string, number[]>(commands.map((c) => [c.name, []]));
  for (let r = -1; r < runs; r++) {
    for (let k = 0; k < commands.length; k++) {
      const c = commands[(k + Math.max(r, 0)) % commands.length]!;
      const t0 = performance.now();
      const p = spawnSync(process.execPath, c.args, { cwd: repoRoot, encoding: 'utf8', env: c.env ?? process.env });
      const ms = performance.now() - t0;
      if (p.status !== 0) throw new Error(`${c.name} failed: ${p.stderr}`);
      if (r >= 0) wall.get(c.name)!.push(ms);
    }
  }
  const row = (name: string, baseline: string): StatsProcessRow => ({
    name,
    command: commands.find((c) => c.name === name)!.display,
    wallMs: round(median(wall.get(name)!)),
    ratio: round(pairedRatio(wall.get(name)!, wall.get(baseline)!)),
    baseline,
  });
  return {
    file: path.split('/').pop()!,
    bytes,
    runs,
    rows: [
      row('compactor stats', 'gpt-tokenizer'),
      row('compactor stats, tokenizer cache off', 'gpt-tokenizer'),
      row('gpt-tokenizer', 'gpt-tokenizer'),
      row('compactor --help', 'node -e 0'),
      row('node -e 0', 'node -e 0'),
    ],
    note: 'whole processes, spawn to exit, timed by the parent; one unrecorded warm-up round first (it writes the tokenizer cache, as a user\'s first run does); the order rotates each round',
  };
}
