/**
 * `npm run bench`: speed and memory (bench/speed/) and the quality comparison
 * (bench/quality.ts), written to bench/RESULTS.md + bench/results.json and
 * bench/QUALITY.md + bench/quality.json. See bench/README.md.
 *
 * Environment: BENCH_RUNS (runs per figure, default 7), BENCH_COLD_RUNS (cold
 * compaction runs, default 3), BENCH_COLD_START_RUNS (fresh processes per
 * tokenizer, default 5; js-tiktoken takes seconds each; also the whole-process `compactor stats`
 * rounds), BENCH_SKIP (comma list of sections to skip:
 * bundle, coldStart, counting, longRuns, statsProcess, incremental, compaction, recall, extensionHost, preparedWait, quality;
 * extensionHost is skipped by itself when code-server is not installed),
 * BENCH_COUNT_CHARS (size of the counting sample, default 1,000,000),
 * COMPACTOR_CORPUS (the transcripts).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTokenCounter } from '../src/compaction/tokens/counter';
import { benchBundle } from './speed/bundle';
import { benchColdStart } from './speed/coldStart';
import { benchCompaction } from './speed/compaction';
import { corpusMessages, corpusTexts, loadCorpus } from './speed/corpus';
import { benchCounting, sampleTexts } from './speed/counting';
import { benchExtensionHost } from './speed/extensionHost';
import { benchIncremental } from './speed/incremental';
import { benchLongRuns } from './speed/longRuns';
import { benchStatsProcess } from './speed/statsProcess';
import { machineInfo } from './speed/machine';
import { benchPreparedWait } from './speed/preparedWait';
import { runQuality } from './speed/quality';
import { benchRecall } from './speed/recall';
import { type BenchResults, writeResults } from './speed/report';
import { checkTargets } from './speed/targets';

const root = join(__dirname, '..');
const intEnv = (name: string, fallback: number) => Math.max(1, Number.parseInt(process.env[name] ?? '', 10) || fallback);
const runs = intEnv('BENCH_RUNS', 7);
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()));

async function main(): Promise<void> {
  const started = performance.now();
  if (!(globalThis as { gc?: unknown }).gc) console.warn('bench: run with --expose-gc (npm run bench does) for memory figures and GC between runs');
  const r: Omit<BenchResults, 'targets' | 'wallSeconds'> = {
    machine: machineInfo(root),
    runs,
    errors: [],
  };
  const section = async <T>(name: string, run: () => T | Promise<T>): Promise<T | undefined> => {
    if (skip.has(name)) return undefined;
    const t0 = performance.now();
    process.stderr.write(`bench: ${name}…`);
    try {
      const out = await run();
      process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return out;
    } catch (err) {
      process.stderr.write(` failed\n${String((err as Error).stack ?? err)}\n`);
      r.errors.push({ section: name, error: String((err as Error).message ?? err) });
      return undefined;
    }
  };
  r.bundle = await section('bundle', () => benchBundle(root));
  r.coldStart = await section('coldStart', () => benchColdStart(root, intEnv('BENCH_COLD_START_RUNS', 5)));
  const corpus = await section('corpus', () => loadCorpus(createTokenCounter()));
  if (corpus) {
    const texts = sampleTexts(corpusTexts(corpus), intEnv('BENCH_COUNT_CHARS', 1_000_000));
    const messages = corpusMessages(corpus);
    r.counting = await section('counting', () => benchCounting(texts, runs));
    r.longRuns = await section('longRuns', () => benchLongRuns(root, corpusTexts(corpus), Math.min(runs, 5)));
    r.statsProcess = await section('statsProcess', () => benchStatsProcess(root, intEnv('BENCH_COLD_START_RUNS', 5)));
    r.incremental = await section('incremental', () => benchIncremental(messages, runs));
    r.compaction = await section('compaction', () => benchCompaction(messages, runs, intEnv('BENCH_COLD_RUNS', 3)));
    r.recall = await section('recall', () => benchRecall(messages, runs));
    r.extensionHost = await section('extensionHost', () => benchExtensionHost(root, messages));
  }
  r.preparedWait = await section('preparedWait', () => benchPreparedWait());
  r.quality = await section('quality', () => runQuality(root, 5 * 60_000));
  const wallSeconds = Math.round((performance.now() - started) / 100) / 10;
  const results: BenchResults = { ...r, wallSeconds, targets: checkTargets({ ...r, wallSeconds }) };
  writeResults(root, results);
  for (const t of results.targets) console.log(`${t.verdict.padEnd(12)} ${t.target}: ${t.figure}`);
  console.log(`bench: done in ${wallSeconds} s → bench/RESULTS.md, bench/results.json`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
