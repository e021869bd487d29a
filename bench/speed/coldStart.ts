/**
 * Cold start of the tokenizer: a fresh Node process that loads a tokenizer and
 * counts one sentence, against `node -e 0` timed in the same run.
 *
 * The engine is measured as it ships: its counter bundled by esbuild, reading
 * the brotli-compressed lite wasm and rank file from `<bundle dir>/tiktoken`
 * (copied from `dist/tiktoken`, built by the bundle step). The others load from
 * node_modules, as a user of those libraries would.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import { median, pairedRatio, round } from './stats';

const SENTENCE = 'Cold start: the first count loads the tokenizer.';
const REPORT = 'process.stdout.write(JSON.stringify({ firstCountMs: t1 - t0, sinceStartMs: t1, tokens: n }));';

export interface ColdStartRow {
  name: string;
  /** Median wall time of the whole process, spawn to exit (this machine). */
  wallMs: number;
  /** Median over runs of wall / `node -e 0` wall in the same round. */
  wallVsNode: number;
  /** Median ms from before loading the library to after the first count, inside the child. */
  firstCountMs: number;
}

export interface ColdStartResult {
  runs: number;
  rows: ColdStartRow[];
  note: string;
}

/** Bundles the engine's counter with its shipped assets into a temp folder; returns the script path. */
function bundleEngine(dir: string, repoRoot: string): string {
  const assets = join(repoRoot, 'dist', 'tiktoken');
  if (!existsSync(assets)) throw new Error(`${assets} missing: run node esbuild.mjs first`);
  mkdirSync(join(dir, 'tiktoken'));
  for (const f of readdirSync(assets)) copyFileSync(join(assets, f), join(dir, 'tiktoken', f));
  const entry = join(dir, 'entry.js');
  const counter = join(repoRoot, 'src', 'compaction', 'tokens', 'counter.ts').replaceAll('\\', '/');
  const code = `const t0 = performance.now();\nconst { createTokenCounter } = require(${JSON.stringify(counter)});\nconst n = createTokenCounter().countText(${JSON.stringify(SENTENCE)});\nconst t1 = performance.now();\n${REPORT}\n`;
  writeFileSync(entry, code);
  const out = join(dir, 'engine-counter.js');
  buildSync({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'error' });
  return out;
}

function inline(load: string, count: string): string {
  return `const t0 = performance.now(); ${load}; const n = ${count}; const t1 = performance.now(); ${REPORT}`;
}

export function benchColdStart(repoRoot: string, runs: number): ColdStartResult {
  const dir = mkdtempSync(join(tmpdir(), 'compactor-bench-'));
  try {
    const s = JSON.stringify(SENTENCE);
    const commands: Array<{ name: string; args: string[] }> = [
      { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
      { name: 'engine counter (bundled, lite wasm, .br assets)', args: [bundleEngine(dir, repoRoot)] },
      { name: 'tiktoken (raw, full build)', args: ['-e', inline("const { get_encoding } = require('tiktoken')", `get_encoding('o200k_base').encode_ordinary(${s}).length`)] },
      { name: 'gpt-tokenizer', args: ['-e', inline("const g = require('gpt-tokenizer/encoding/o200k_base')", `g.countTokens(${s})`)] },
      { name: 'js-tiktoken', args: ['-e', inline("const { Tiktoken } = require('js-tiktoken/lite'); const r = require('js-tiktoken/ranks/o200k_base')", `new Tiktoken(r.default ?? r).encode(${s}).length`)] },
    ];
    const wall = new Map<string, number[]>(commands.map((c) => [c.name, []]));
    const inside = new Map<string, number[]>(commands.map((c) => [c.name, []]));
    for (let r = -1; r < runs; r++) {
      for (let k = 0; k < commands.length; k++) {
        const c = commands[(k + Math.max(r, 0)) % commands.length]!;
        const t0 = performance.now();
        const p = spawnSync(process.execPath, c.args, { cwd: repoRoot, encoding: 'utf8' });
        const ms = performance.now() - t0;
        if (p.status !== 0) throw new Error(`${c.name} failed: ${p.stderr}`);
        if (r < 0) continue;
        wall.get(c.name)!.push(ms);
        if (p.stdout.trim()) inside.get(c.name)!.push((JSON.parse(p.stdout) as { firstCountMs: number }).firstCountMs);
      }
    }
    const base = wall.get('node -e 0 (baseline)')!;
    return {
      runs,
      rows: commands.map((c) => ({
        name: c.name,
        wallMs: round(median(wall.get(c.name)!)),
        wallVsNode: round(pairedRatio(wall.get(c.name)!, base)),
        firstCountMs: inside.get(c.name)!.length > 0 ? round(median(inside.get(c.name)!)) : 0,
      })),
      note: 'first count = load the library and count one sentence, timed inside the child; wall = spawn to exit, timed by the parent',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
