/**
 * Timing statistics for the speed benchmarks. The machines are shared and
 * noisy (TESTING.md, Timing), so every figure is a median over several runs and
 * every comparison is a ratio against a baseline timed in the same process,
 * interleaved with ours run by run, so a burst of noise hits both sides.
 */
import { performance } from 'node:perf_hooks';

/** The median of `xs` (mean of the two middle values for an even count). Throws on an empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `ours / baseline`; NaN when the baseline is not a positive finite number. */
export function ratio(ours: number, baseline: number): number {
  if (!(baseline > 0) || !Number.isFinite(baseline) || !Number.isFinite(ours)) return Number.NaN;
  return ours / baseline;
}

/** Median of the per-run ratios `ours[i] / baseline[i]` (paired runs). */
export function pairedRatio(ours: readonly number[], baseline: readonly number[]): number {
  if (ours.length !== baseline.length) throw new RangeError(`paired runs differ in length: ${ours.length} vs ${baseline.length}`);
  return median(ours.map((o, i) => ratio(o, baseline[i]!)));
}

/** Rounds to `digits` significant digits (keeps tables readable; NaN stays NaN). */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}

/** Milliseconds one call of `fn` takes. */
export function timeOnce(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/**
 * Mean milliseconds per call of `fn`, repeating it until at least `minMs` have
 * passed (and at least `minCalls` calls), so fast operations are not lost in
 * timer resolution. `fn` receives the call index.
 */
export function timePerCall(fn: (i: number) => unknown, minMs: number, minCalls = 1): number {
  let calls = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (calls < minCalls || elapsed < minMs) {
    fn(calls++);
    elapsed = performance.now() - t0;
  }
  return elapsed / calls;
}

export interface Contender {
  name: string;
  /** Runs once and returns milliseconds (use timeOnce / timePerCall inside). */
  measure: () => number;
}

/**
 * Runs every contender `runs` times, rotating the order each run (so none is
 * always first or last), after `warmup` unrecorded rounds. Calls `global.gc`
 * between measurements when Node was started with --expose-gc.
 * Returns the milliseconds of every run per contender name.
 */
export function interleave(contenders: readonly Contender[], runs: number, warmup = 1): Map<string, number[]> {
  const out = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = -warmup; r < runs; r++) {
    const shift = ((r % contenders.length) + contenders.length) % contenders.length;
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + shift) % contenders.length]!;
      collectGarbage();
      const ms = c.measure();
      if (r >= 0) out.get(c.name)!.push(ms);
    }
  }
  return out;
}

/** `global.gc()` when exposed (npm run bench passes --expose-gc); otherwise nothing. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}
