/**
 * The extension host in a real VS Code (code-server + Chromium, the browser
 * test harness, test/README.md): activation time of the packaged extension
 * and the longest event-loop stall of the extension host while a large
 * transcript is imported and then compacted.
 *
 * - Activation: the extension logs `activated in N ms` (extension/extension.ts:
 *   the synchronous part of activate(), the language server starts in the
 *   background); read from its output channel's log file.
 * - Stalls: the test-model fixture (test/fixtures/test-model/extension.js) runs
 *   in the same extension host; with `.compactor-test/lagprobe` present it
 *   measures how late a 10 ms interval fires and writes every stall ≥ 20 ms
 *   to `.compactor-test/lag.json`. It also runs `compactor.importTranscript`
 *   on the path the bench writes to `.compactor-test/import.json` (the command
 *   opens a file dialog when run from the palette).
 * - Workload: a ~500K-token OpenAI-format transcript made of the corpus
 *   messages (syntheticSession), imported, then compacted with F1 "Compactor:
 *   Compact Conversation", Enter (no instructions): the LLM summary by the
 *   fixture model (128K window), which the session far exceeds.
 *
 * Skipped, with a note, when code-server is not installed (it is installed by
 * the first `npm run test:browser`; the bench never downloads it). Absolute
 * milliseconds: one run on a shared machine; the stall is a maximum, not a median.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageRecord, SessionLog } from '../../src/compaction/records';
import { argsText } from '../../src/compaction/tokens/counter';
import { storedTokens, syntheticSession } from './corpus';

/** Targets: activation (sync part) and the longest stall while importing/compacting. */
export const ACTIVATION_MAX_MS = 50;
export const STALL_MAX_MS = 50;
const TRANSCRIPT_TOKENS = 500_000;
/**
 * The fixture model's window (GPT-4o's). The model runs in the same extension
 * host and logs every request it gets, so its window also bounds what its own
 * bookkeeping adds to the stalls during the LLM summary.
 */
const FIXTURE_WINDOW_TOKENS = 128_000;
const STEP_TIMEOUT_MS = 240_000;
const CODE_SERVER_VERSION = '4.139.1';

export interface Stall {
  /** ms since the phase started. */
  atMs: number;
  lagMs: number;
}

export interface PhaseResult {
  name: 'startup' | 'import' | 'compaction';
  durationMs: number;
  longestStallMs: number;
  /** Stalls ≥ 20 ms, longest first (at most 8). */
  stalls: Stall[];
  outcome: string;
}

/** A stretch of the extension host's CPU profile with no idle sample, and where its time went. */
export interface BusyStretch {
  ms: number;
  /** Self time by function (`name file:line`), most first. */
  top: Array<{ frame: string; ms: number }>;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/**
 * The busy stretches of at least `minMs` in a CPU profile, longest first, each
 * with its top functions; frames of the product bundle are named by its source
 * map (`extension/...ts:line`) when `bundleMap` is given.
 */
export function busyStretches(profile: CpuProfile, minMs: number, bundleMap?: { file: string; map: SourceMap }): BusyStretch[] {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const label = (id: number) => {
    const f = frames.get(id);
    if (!f) return '?';
    const file = f.url.split('/').slice(-1)[0] ?? '';
    if (bundleMap && file === bundleMap.file && f.url.includes('context-compactor')) {
      const e = bundleMap.map.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string; originalLine?: number; name?: string };
      if (e.originalSource) return `${e.name ?? f.functionName} ${e.originalSource.replace(/^.*?\/(extension|src|node_modules)\//, '$1/')}:${(e.originalLine ?? 0) + 1}`;
    }
    return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
  };
  const out: BusyStretch[] = [];
  let current: Map<string, number> | undefined;
  let ms = 0;
  const close = () => {
    if (current && ms >= minMs) {
      const top = [...current].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([frame, t]) => ({ frame, ms: Math.round(t * 10) / 10 }));
      out.push({ ms: Math.round(ms), top });
    }
    current = undefined;
    ms = 0;
  };
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; attribute the next delta to this sample.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const name = frames.get(id)?.functionName ?? '';
    if (name === '(idle)') return close();
    current ??= new Map();
    const k = label(id);
    current.set(k, (current.get(k) ?? 0) + dt);
    ms += dt;
  });
  close();
  return out.sort((a, b) => b.ms - a.ms).slice(0, 5);
}

export interface ExtensionHostResult {
  status: 'measured' | 'skipped' | 'failed';
  note: string;
  transcript?: { tokens: number; messages: number; bytes: number };
  activationMs?: number;
  phases?: PhaseResult[];
  /** Longest stall over import + compaction. */
  longestStallMs?: number;
  lagProbeSamples?: number;
  /** With BENCH_EXTHOST_PROFILE=1: the longest busy stretches of the extension host during import + compaction. */
  profile?: BusyStretch[];
}

function codeServerInstalled(): string | undefined {
  const root = process.env.COMPACTOR_CACHE ?? join(homedir(), '.cache', 'context-compactor');
  const entry = join(root, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const chromium = process.env.COMPACTOR_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(entry)) return `code-server ${CODE_SERVER_VERSION} is not installed (${entry}); run \`npm run test:browser\` once to install it`;
  if (!existsSync(chromium)) return `Chromium is not installed (${chromium})`;
  return undefined;
}

/** One OpenAI chat message per record (tool results become `tool` messages). */
export function toOpenAI(log: SessionLog): unknown[] {
  const out: unknown[] = [];
  for (const r of log.records) {
    if (r.type !== 'message') continue;
    const text = r.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
    if (r.role === 'tool' || r.parts.some((p) => p.type === 'tool_result')) {
      for (const p of r.parts) if (p.type === 'tool_result') out.push({ role: 'tool', tool_call_id: p.callId, content: p.text });
      continue;
    }
    const calls = r.parts.flatMap((p) => (p.type === 'tool_call' ? [{ id: p.id, type: 'function', function: { name: p.name, arguments: argsText(p.args) } }] : []));
    out.push({ role: r.role, content: text, ...(calls.length ? { tool_calls: calls } : {}) });
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

interface LagFile {
  startedMs: number;
  maxLagMs: number;
  samples: number;
  stalls: Array<{ atMs: number; lagMs: number }>;
}

/**
 * The stalls of one phase. A stall is recorded when the interval finally fires,
 * at its end, so a phase owns the stalls that end in [from, until), `until`
 * being where the next phase starts (or a second after the last one ends).
 */
function phase(name: PhaseResult['name'], lag: LagFile, from: number, to: number, until: number, outcome: string): PhaseResult {
  const inside = lag.stalls.filter((s) => s.atMs >= from && s.atMs < until).sort((a, b) => b.lagMs - a.lagMs);
  return {
    name,
    durationMs: to - from,
    longestStallMs: inside[0]?.lagMs ?? 0,
    stalls: inside.slice(0, 8).map((s) => ({ atMs: s.atMs - from, lagMs: s.lagMs })),
    outcome,
  };
}

export async function benchExtensionHost(repoRoot: string, corpus: readonly MessageRecord[]): Promise<ExtensionHostResult> {
  const missing = codeServerInstalled();
  if (missing) return { status: 'skipped', note: `Skipped: ${missing}.` };
  const pack = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, encoding: 'utf8', input: 'y\n' });
  if (pack.status !== 0) return { status: 'failed', note: `npm run package failed: ${(pack.stderr || pack.stdout).trim().split('\n').slice(-3).join(' ')}` };

  const dir = mkdtempSync(join(tmpdir(), 'compactor-exthost-'));
  const log = syntheticSession(corpus, TRANSCRIPT_TOKENS, 'exthost');
  const transcriptPath = join(dir, 'transcript-500k.json');
  const json = JSON.stringify({ messages: toOpenAI(log) });
  writeFileSync(transcriptPath, json);
  const transcript = { tokens: storedTokens(log), messages: log.records.length, bytes: Buffer.byteLength(json) };

  // Loaded here so the rest of the bench runs without the browser layer's dependencies.
  const { startVsCode } = await import('../../test/browser/harness/vscode');
  const { runCommand } = await import('../../test/browser/harness/browser');
  const launchedMs = Date.now();
  const vscode = await startVsCode({
    workspaceFiles: { '.compactor-test/lagprobe': '1' },
    // Compact Conversation applies at once here (the preview would wait for a person).
    settings: { 'compactor.compaction.preview': 'never' },
    model: { maxInputTokens: FIXTURE_WINDOW_TOKENS, replies: [{ match: 'summar', scope: 'prompt', reply: 'SUMMARY: the user asked for fixes; tests pass.' }] },
    telemetry: false,
  });
  try {
    const state = join(vscode.workspaceDir, '.compactor-test');
    const lag = (): LagFile | undefined => {
      try {
        return JSON.parse(readFileSync(join(state, 'lag.json'), 'utf8')) as LagFile;
      } catch {
        return undefined;
      }
    };
    const activationMs = await waitFor('the "activated in N ms" log line', () => {
      const m = /activated in ([\d.]+) ms/.exec(vscode.outputChannelLog('Context Compactor'));
      return m ? Number(m[1]) : undefined;
    });
    await waitFor('the lag probe', lag, 60_000);
    await sleep(3_000); // let start-up work (session restore, server start) finish
    const startupEnd = Date.now();

    const profiling = process.env.BENCH_EXTHOST_PROFILE === '1';
    if (profiling) {
      writeFileSync(join(state, 'profile-start'), '');
      await waitFor('the profiler', () => (existsSync(join(state, 'profile-start.taken')) ? true : undefined), 10_000);
    }
    writeFileSync(join(state, 'import.json'), JSON.stringify({ path: transcriptPath }));
    const imported = await waitFor('the import', () => {
      try {
        return JSON.parse(readFileSync(join(state, 'import-result.json'), 'utf8')) as { startMs: number; endMs: number; sessionId?: string; error?: string };
      } catch {
        return undefined;
      }
    });
    await sleep(2_000);

    const compactStart = Date.now();
    await runCommand(vscode.page, 'Compactor: Compact Conversation');
    await vscode.page.locator('.quick-input-widget input').waitFor();
    await vscode.page.keyboard.press('Enter');
    const toast = vscode.page.locator('.notification-toast').filter({ hasText: /Compacted:|Nothing was compacted|[Cc]ompaction failed/ }).last();
    await toast.waitFor({ timeout: STEP_TIMEOUT_MS });
    const compactEnd = Date.now();
    const message = toast.locator('.notification-list-item-message');
    const compactOutcome = (((await message.count()) > 0 ? await message.first().textContent() : await toast.textContent()) ?? '').replace(/\s+/g, ' ').trim().slice(0, 160);
    await sleep(1_500); // the probe writes lag.json every 250 ms
    let profile: BusyStretch[] | undefined;
    if (profiling) {
      writeFileSync(join(state, 'profile-stop'), '');
      const file = join(state, 'exthost.cpuprofile');
      const raw = await waitFor('the CPU profile', () => (existsSync(file) ? readFileSync(file, 'utf8') : undefined), 30_000);
      writeFileSync(join(repoRoot, 'test-results', 'bench-exthost.cpuprofile'), raw);
      const map = new SourceMap(JSON.parse(readFileSync(join(repoRoot, 'dist', 'extension.js.map'), 'utf8')) as SourceMapPayload);
      profile = busyStretches(JSON.parse(raw) as CpuProfile, 30, { file: 'extension.js', map });
    }
    const final = lag();
    if (!final) throw new Error('the lag probe wrote nothing');
    const phases = [
      phase('startup', final, launchedMs, startupEnd, imported.startMs, 'workbench open, extension active'),
      phase('import', final, imported.startMs, imported.endMs, compactStart, imported.error ? `failed: ${imported.error.split('\n')[0]}` : 'imported'),
      phase('compaction', final, compactStart, compactEnd, compactEnd + 1_000, compactOutcome),
    ];
    return {
      status: 'measured',
      note: 'one run in code-server; activation = the synchronous part of activate() as the extension logs it; stalls = how late a 10 ms interval in the same extension host fired (longest, during each phase)',
      transcript,
      activationMs,
      phases,
      longestStallMs: Math.max(phases[1]!.longestStallMs, phases[2]!.longestStallMs),
      lagProbeSamples: final.samples,
      ...(profile ? { profile } : {}),
    };
  } catch (err) {
    await vscode.screenshot('bench-extension-host-failure').catch(() => undefined);
    return { status: 'failed', note: `failed: ${String((err as Error).message ?? err)}`, transcript };
  } finally {
    await vscode.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
