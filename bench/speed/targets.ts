/**
 * The targets of the issue "Benchmarks: speed, memory and compaction quality",
 * checked against the figures of the run. A target whose figure is missing is
 * "not measured", never guessed.
 */
import { VSIX_MAX_BYTES } from './bundle';
import { COMPACT_1M_MAX_MS } from './compaction';
import { FLAT_RATIO_MAX } from './incremental';
import type { BenchResults, TargetCheck, Verdict } from './report';

const verdict = (ok: boolean | undefined): Verdict => (ok === undefined ? 'not measured' : ok ? 'met' : 'not met');

export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const engine = r.counting?.rows.find((x) => x.name.startsWith('engine counter'));
  const running = r.incremental?.rows.find((x) => x.path === 'running totals');
  const service = r.incremental?.rows.find((x) => x.path === 'EngineService.usage');
  const at1M = (counter: 'warm' | 'cold') => r.compaction?.rows.filter((x) => x.size === 1_000_000 && x.counter === counter) ?? [];
  const slowest = (counter: 'warm' | 'cold') => at1M(counter).reduce<number | undefined>((m, x) => Math.max(m ?? 0, x.medianMs), undefined);
  const warm = slowest('warm');
  const cold = slowest('cold');
  const list = (counter: 'warm' | 'cold') => at1M(counter).map((x) => `${x.strategy} ${x.medianMs}`).join(', ');
  const vsix = r.bundle?.vsix;
  return [
    {
      target: 'Counting at least as fast as raw tiktoken (cold cache)',
      figure: engine ? `${engine.speedVsTiktoken}× raw tiktoken's speed` : '—',
      verdict: verdict(engine && engine.speedVsTiktoken >= 1),
    },
    {
      target: `Per-message update flat: 1M / 10K ≤ ${FLAT_RATIO_MAX} — with running totals (no engine API yet)`,
      figure: running ? `${running.ratio1MTo10K}` : '—',
      verdict: verdict(running?.meetsTarget),
    },
    {
      target: `Per-message update flat: 1M / 10K ≤ ${FLAT_RATIO_MAX} — the engine's usage request (what exists today)`,
      figure: service ? `${service.ratio1MTo10K}` : '—',
      verdict: verdict(service?.meetsTarget),
    },
    {
      target: `1M-token deterministic compaction well under 1 s (≤ ${COMPACT_1M_MAX_MS} ms, every strategy), warm counter`,
      figure: warm !== undefined ? `ms: ${list('warm')}` : '—',
      verdict: verdict(warm === undefined ? undefined : warm <= COMPACT_1M_MAX_MS),
    },
    {
      target: `Same, cold counter (server restarted / imported session)`,
      figure: cold !== undefined ? `ms: ${list('cold')}` : '—',
      verdict: verdict(cold === undefined ? undefined : cold <= COMPACT_1M_MAX_MS),
    },
    {
      target: '.vsix < 2 MB (2,000,000 bytes)',
      figure: vsix ? `${vsix.bytes.toLocaleString('en-US')} bytes = ${(vsix.bytes / 1e6).toFixed(2)} MB = ${(vsix.bytes / 1024 ** 2).toFixed(3)} MiB` : '—',
      verdict: verdict(vsix ? vsix.bytes < VSIX_MAX_BYTES : undefined),
    },
    { target: 'Extension host: activation time, longest stall', figure: 'not measured yet', verdict: 'not measured' },
  ];
}
