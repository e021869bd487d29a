/**
 * Writes the speed figures: bench/results.json (everything) and
 * bench/RESULTS.md (the tables and whether each target is met). Formatting
 * only; every number comes from the run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleResult } from './bundle';
import type { ColdStartResult } from './coldStart';
import type { CompactionResult } from './compaction';
import type { RecallBenchResult } from './recall';
import type { CountingResult } from './counting';
import type { ExtensionHostResult } from './extensionHost';
import type { IncrementalResult } from './incremental';
import type { LongRunsResult } from './longRuns';
import type { StatsProcessResult } from './statsProcess';
import type { MachineInfo } from './machine';
import type { PreparedWaitResult } from './preparedWait';
import type { QualityRun } from './quality';

export type Verdict = 'met' | 'not met' | 'not measured';

export interface TargetCheck {
  target: string;
  figure: string;
  verdict: Verdict;
}

export interface BenchResults {
  machine: MachineInfo;
  runs: number;
  wallSeconds: number;
  targets: TargetCheck[];
  counting?: CountingResult;
  longRuns?: LongRunsResult;
  statsProcess?: StatsProcessResult;
  coldStart?: ColdStartResult;
  incremental?: IncrementalResult;
  compaction?: CompactionResult;
  recall?: RecallBenchResult;
  bundle?: BundleResult;
  quality?: QualityRun;
  extensionHost?: ExtensionHostResult;
  preparedWait?: PreparedWaitResult;
  errors: Array<{ section: string; error: string }>;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const table = (head: string[], rows: Array<Array<string | number>>) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function sections(r: BenchResults): string[] {
  const out: string[] = [];
  const c = r.counting;
  if (c) {
    out.push(`## Token counting (o200k_base, ${c.texts} texts of the corpus, ${c.chars.toLocaleString('en-US')} chars, ${c.tokens.toLocaleString('en-US')} tokens; ${c.uniqueTexts} distinct texts)`,
      table(['tokenizer', 'speed vs raw tiktoken (×, higher is faster)', 'median ms (this machine)', 'tokens/s (this machine)', 'how'],
        c.rows.map((x) => [x.name, x.speedVsTiktoken, x.medianMs, x.tokensPerSecond.toLocaleString('en-US'), x.note])),
      `All tokenizers gave the same total: **${c.countsAgree ? 'yes' : 'NO'}**.`,
      ...(c.firstCounts ? [`First counts only (the ${c.firstCounts.texts} distinct texts, nothing the cache could serve; ${c.firstCounts.runs} runs): the engine counter is ${c.firstCounts.speedVsBareEncoder}× the speed of its own encoder without the cache and ${c.firstCounts.speedVsTiktoken}× raw tiktoken (${c.firstCounts.engineMs} ms this machine) — what the cache costs when it cannot help.`] : []),
      `Warm cache (labelled, not throughput): the same engine counter counting the same texts again takes ${c.warmCache.medianMs} ms, ${c.warmCache.speedVsColdEngine}× faster than cold — ${c.warmCache.note}.`);
  }
  const lr = r.longRuns;
  if (lr) {
    out.push(`## Long unbroken runs (1,000,000 characters each, engine counter; ${lr.runs} runs)`,
      `Ordinary text of the same length (${lr.proseChars.toLocaleString('en-US')} characters of the corpus texts): ${lr.proseMs} ms this machine.`,
      table(['run', '× ordinary text (target ≤ 2)', 'median ms (this machine)', 'tokens', 'in the target'],
        lr.rows.map((x) => [x.name, `**${x.vsProse}**`, x.medianMs, x.tokens.toLocaleString('en-US'), x.inTarget ? 'yes' : 'no (see note)'])),
      `${lr.note}.`,
      lr.server.status === 'measured'
        ? `Compaction server: a small count sent right after a 1M-run count answered in **${lr.server.smallMs} ms** (median of ${lr.server.runs}, worst ${lr.server.smallMaxMs} ms; target ≤ 1000), ${lr.server.smallFirst ? 'before' : 'NOT always before'} the 1M run (${lr.server.bigMs} ms). ${lr.server.note}.`
        : `Compaction server: not measured (${lr.server.note}).`);
  }
  const sp = r.statsProcess;
  if (sp) {
    out.push(`## \`compactor stats\` as a whole process (${sp.file}, ${(sp.bytes / 1e6).toFixed(2)} MB, the largest corpus transcript; ${sp.runs} rounds)`,
      table(['process', 'wall × baseline', 'baseline', 'median wall ms (this machine)', 'command'],
        sp.rows.map((x) => [x.name, `**${x.ratio}**`, x.baseline, x.wallMs, `\`${x.command}\``])),
      `${sp.note}.`);
  }
  const s = r.coldStart;
  if (s) {
    out.push('## Tokenizer cold start (fresh process, load + first count)',
      table(['process', 'wall vs node -e 0 (×)', 'wall ms (this machine)', 'load + first count ms, inside (this machine)'],
        s.rows.map((x) => [x.name, x.wallVsNode, x.wallMs, x.firstCountMs || '—'])), s.note + '.');
  }
  const i = r.incremental;
  if (i) {
    out.push('## Incremental cost: append one message and update usage',
      `Sessions: ${i.sessions.map((x) => `${x.tokens.toLocaleString('en-US')} tokens / ${x.messages} messages`).join('; ')}.`,
      table(['path', 'ratio 1M / 10K (target ≤ 1.5)', ...i.sessions.map((x) => `ms/message at ${x.target / 1000}K`), 'appends per run'],
        i.rows.map((x) => [x.path, `**${x.ratio1MTo10K}** (${x.meetsTarget ? 'met' : 'not met'})`, ...i.sessions.map((y) => x.perMessageMs[String(y.target)] ?? '—'), x.appendsPerRun])),
      i.note + '.');
  }
  const k = r.compaction;
  if (k) {
    out.push('## Compaction (deterministic tiers and the planner)');
    if (!k.available) out.push(`Not measured: ${k.reason}.`);
    else {
      out.push(`Sessions: ${k.sessions.map((x) => `${x.tokens.toLocaleString('en-US')} tokens / ${x.messages} messages (JSON.stringify ${x.stringifyMs} ms)`).join('; ')}. Warm counter: ${k.runs} runs; cold counter: ${k.coldRuns} runs (a fresh counter per run; the tiers take what the log already counted from its stored counts).`,
        table(['strategy', 'size', 'counter', 'status', 'tokens before → after', '× JSON.stringify(log)', 'median ms (this machine)', 'heap after call MB', 'retained MB'],
          k.rows.map((x) => [x.strategy, `${x.size / 1000}K`, x.counter, x.status, `${x.tokensBefore.toLocaleString('en-US')} → ${x.tokensAfter.toLocaleString('en-US')}`, x.vsStringify, x.medianMs, x.heapAfterCallMB ?? '—', x.retainedHeapMB ?? '—'])));
    }
  }
  const rc = r.recall;
  if (rc) {
    out.push('## Recall (search over a whole session)',
      `Session: ${rc.tokens.toLocaleString('en-US')} tokens / ${rc.messages} messages (synthetic, from the corpus).`,
      table(['figure', 'value'], [
        ['search, × JSON.stringify(log) (same run)', `**${rc.vsStringify}**`],
        ['search median ms (this machine)', rc.searchMedianMs],
        ['JSON.stringify(log) median ms', rc.stringifyMedianMs],
        ['recall by id median ms', rc.byIdMedianMs],
        [`longest stall of the time-sliced search ms (target ≤ 50)`, `**${rc.slicedLongestStallMs}** (${rc.meetsStallTarget ? 'met' : 'not met'})`],
        ['longest gap while idle for as long ms (the machine\'s noise floor)', rc.idleLongestGapMs],
      ]));
  }
  const b = r.bundle;
  if (b) {
    out.push('## Bundle sizes (`node esbuild.mjs --production`)', `Build: ${b.build}${b.buildError ? ` — ${b.buildError}` : ''}.`,
      table(['file', 'size'], b.files.map((f) => [f.file, kb(f.bytes)])),
      b.vsix ? `.vsix: **${b.vsix.bytes.toLocaleString('en-US')} bytes** (${kb(b.vsix.bytes)}; target < 2,000,000 bytes: ${b.vsix.meetsTarget ? 'met' : 'not met'}) — ${b.vsix.source}.` : `.vsix: not packaged (${b.vsixError ?? 'unknown error'}).`);
  }
  const h = r.extensionHost;
  if (h) {
    out.push('## Extension host (code-server)');
    if (h.status !== 'measured') out.push(`Not measured: ${h.note}`);
    else {
      const t = h.transcript;
      out.push(
        `Workload: ${t ? `an OpenAI-format transcript of ${t.tokens.toLocaleString('en-US')} tokens / ${t.messages} messages (${(t.bytes / 1e6).toFixed(1)} MB)` : 'a transcript'}, imported with compactor.importTranscript, then compacted with F1 "Compactor: Compact Conversation", Enter. Activation: **${h.activationMs} ms** (target < 50). ${h.lagProbeSamples ?? 0} lag samples.`,
        table(['phase', 'duration ms', 'longest stall ms (target ≤ 50)', 'stalls ≥ 20 ms (ms after phase start: length)', 'outcome'],
          (h.phases ?? []).map((p) => [p.name, p.durationMs, `**${p.longestStallMs}**`, p.stalls.map((s) => `${s.atMs}: ${s.lagMs}`).join(', ') || '—', p.outcome])),
        `${h.note}. Absolute times, one run on a shared machine.`,
      );
    }
  }
  const q = r.quality;
  if (q) out.push('## Quality', q.ran ? `bench/quality.ts ran (${q.wallSeconds} s): see bench/QUALITY.md and bench/quality.json.` : `bench/quality.ts did not complete (exit ${q.exitCode}): ${q.error ?? ''}`);
  return out;
}

export function writeResults(repoRoot: string, r: BenchResults): void {
  writeFileSync(join(repoRoot, 'bench', 'results.json'), JSON.stringify(r, null, 2) + '\n');
  const m = r.machine;
  const md = [
    '# Speed and memory results',
    `Generated by \`npm run bench\` (bench/run.ts) on ${m.date.slice(0, 10)}, commit ${m.commit}; do not edit by hand. How to read it: bench/README.md, "Speed and memory".`,
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, ${m.platform}; load average ${m.loadAverage1m} at start (shared machine). ${r.runs} runs per figure unless stated; medians; ratios are per-run ratios against a baseline in the same process. The whole run took ${r.wallSeconds} s.`,
    '## Targets',
    table(['target', 'figure', 'verdict'], r.targets.map((t) => [t.target, t.figure, `**${t.verdict}**`])),
    ...sections(r),
    ...(r.errors.length > 0 ? ['## Errors', ...r.errors.map((e) => `- ${e.section}: ${e.error}`)] : []),
  ].join('\n\n');
  writeFileSync(join(repoRoot, 'bench', 'RESULTS.md'), md + '\n');
}
