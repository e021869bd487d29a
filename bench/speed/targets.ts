/**
 * The targets of the issue "Benchmarks: speed, memory and compaction quality",
 * checked against the figures of the run. A target whose figure is missing is
 * "not measured", never guessed.
 */
import { VSIX_MAX_BYTES } from './bundle';
import { COMPACT_1M_MAX_MS } from './compaction';
import { ACTIVATION_MAX_MS, STALL_MAX_MS } from './extensionHost';
import { FLAT_RATIO_MAX } from './incremental';
import { LONG_RUN_MAX_RATIO, SMALL_AFTER_RUN_MAX_MS } from './longRuns';
import { STATS_VS_GPT_MAX } from './statsProcess';
import { PREPARED_WAIT_MAX_MS, UNPREPARED_WAIT_MIN_MS } from './preparedWait';
import type { BenchResults, TargetCheck, Verdict } from './report';

const verdict = (ok: boolean | undefined): Verdict => (ok === undefined ? 'not measured' : ok ? 'met' : 'not met');

export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const engine = r.counting?.rows.find((x) => x.name.startsWith('engine counter'));
  const tracker = r.incremental?.rows.find((x) => x.path === 'engine usage tracker');
  const fold = r.incremental?.rows.find((x) => x.path === 'full fold (SessionService.usage before)');
  const service = r.incremental?.rows.find((x) => x.path === 'EngineService.usage');
  const host = r.extensionHost;
  const measured = host?.status === 'measured';
  const at1M = (counter: 'warm' | 'cold') => r.compaction?.rows.filter((x) => x.size === 1_000_000 && x.counter === counter) ?? [];
  const slowest = (counter: 'warm' | 'cold') => at1M(counter).reduce<number | undefined>((m, x) => Math.max(m ?? 0, x.medianMs), undefined);
  const warm = slowest('warm');
  const cold = slowest('cold');
  const list = (counter: 'warm' | 'cold') => at1M(counter).map((x) => `${x.strategy} ${x.medianMs}`).join(', ');
  const vsix = r.bundle?.vsix;
  const runs = r.longRuns?.rows.filter((x) => x.inTarget) ?? [];
  const worstRun = runs.reduce<number | undefined>((m, x) => Math.max(m ?? 0, x.vsProse), undefined);
  const server = r.longRuns?.server;
  const stats = r.statsProcess?.rows.find((x) => x.name === 'compactor stats');
  return [
    {
      target: `Counting a 1,000,000-character unbroken run ≤ ${LONG_RUN_MAX_RATIO}× the time of 1,000,000 characters of ordinary text`,
      figure: runs.length > 0 ? runs.map((x) => `${x.name} ${x.vsProse}×`).join(', ') : '—',
      verdict: verdict(worstRun === undefined ? undefined : worstRun <= LONG_RUN_MAX_RATIO),
    },
    {
      target: `Compaction server: a small request sent right after a 1M-character run answers within ${SMALL_AFTER_RUN_MAX_MS} ms`,
      figure: server?.status === 'measured' ? `${server.smallMs} ms median, worst ${server.smallMaxMs} ms; answered before the run: ${server.smallFirst ? 'always' : 'not always'}` : (server?.note ?? '—'),
      verdict: verdict(server?.status === 'measured' ? server.smallMaxMs! <= SMALL_AFTER_RUN_MAX_MS && server.smallFirst === true : undefined),
    },
    {
      target: `\`compactor stats\` whole process ≤ ${STATS_VS_GPT_MAX}× gpt-tokenizer counting the raw file (largest corpus transcript)`,
      figure: stats ? `${stats.ratio}× (${stats.wallMs} ms vs ${r.statsProcess!.rows.find((x) => x.name === 'gpt-tokenizer')!.wallMs} ms this machine)` : '—',
      verdict: verdict(stats ? stats.ratio <= STATS_VS_GPT_MAX : undefined),
    },
    {
      target: 'Counting at least as fast as raw tiktoken (cold cache)',
      figure: engine
        ? `${engine.speedVsTiktoken}× raw tiktoken's speed` +
          (r.counting?.firstCounts ? `; distinct texts only (no repeat to serve): ${r.counting.firstCounts.speedVsTiktoken}× raw tiktoken, ${r.counting.firstCounts.speedVsBareEncoder}× its own encoder without the cache` : '')
        : '—',
      verdict: verdict(engine && engine.speedVsTiktoken >= 1),
    },
    {
      target: `Per-message update flat: 1M / 10K ≤ ${FLAT_RATIO_MAX} — the engine's usage tracker (what SessionService.usage runs)`,
      figure: tracker ? `${tracker.ratio1MTo10K} (${tracker.perMessageMs['1000000']} ms/message at 1M)` + (fold ? `; the full fold it replaces: ${fold.ratio1MTo10K}` : '') + (service ? `; the server's usage request: ${service.ratio1MTo10K}` : '') : '—',
      verdict: verdict(tracker?.meetsTarget),
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
    {
      target: `Extension host: activation < ${ACTIVATION_MAX_MS} ms`,
      figure: measured && host.activationMs !== undefined ? `${host.activationMs} ms` : (host?.note ?? 'not measured'),
      verdict: verdict(measured && host.activationMs !== undefined ? host.activationMs < ACTIVATION_MAX_MS : undefined),
    },
    {
      target: `Extension host: no stall > ${STALL_MAX_MS} ms while a 500K-token transcript is imported and compacted`,
      figure: measured && host.phases ? host.phases.filter((p) => p.name !== 'startup').map((p) => `${p.name}: longest ${p.longestStallMs} ms`).join('; ') : (host?.note ?? 'not measured'),
      verdict: verdict(measured && host.longestStallMs !== undefined ? host.longestStallMs <= STALL_MAX_MS : undefined),
    },
    preparedWaitTarget(r),
  ];
}

/** Issue 15: with a 5 s summary model, the auto-compaction wait ≤ 0.2 s when a prepared summary applies, vs ≥ 5 s without. */
function preparedWaitTarget(r: Omit<BenchResults, 'targets'>): TargetCheck {
  const w = r.preparedWait;
  const prepared = w?.runs.find((x) => x.mode === 'prepared');
  const unprepared = w?.runs.find((x) => x.mode === 'unprepared');
  const ok = prepared?.waitMs !== undefined && unprepared?.waitMs !== undefined ? prepared.prepared === true && prepared.waitMs <= PREPARED_WAIT_MAX_MS && unprepared.waitMs >= UNPREPARED_WAIT_MIN_MS : undefined;
  return {
    target: `Auto-compaction wait with a 5 s summary model: ≤ ${PREPARED_WAIT_MAX_MS} ms with a prepared summary, vs ≥ ${UNPREPARED_WAIT_MIN_MS} ms without (extension host, code-server)`,
    figure: w?.status === 'measured' ? w.runs.map((x) => `${x.mode}: ${x.waitMs ?? '—'} ms${x.note ? ` (${x.note})` : ''}`).join('; ') : (w?.note ?? 'not measured'),
    verdict: verdict(ok),
  };
}
