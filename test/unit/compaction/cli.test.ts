/**
 * The CLI as a real child process (`node --import tsx src/compaction/cli.ts`):
 * `compact --json` on every corpus transcript (optional, 100 KB – 2.4 MB) and on
 * the project's synthetic transcripts at T = 25 % of their tokens, `stats`,
 * `--help`, and bad input (one stderr line, non-zero exit).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { contextOf, contextTokens } from '../../../src/compaction/context';
import { importTranscript } from '../../../src/compaction/importers';
import type { MessageRecord } from '../../../src/compaction/records';
import { counterForModel } from '../../../src/compaction/tokens/counter';
import { syntheticTranscripts, writeSyntheticTranscripts } from '../../fixtures/transcripts';
import { CORPUS, corpusPath, corpusSkip } from './corpusFiles';

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'src', 'compaction', 'cli.ts');
/** The CLI's counter: tiktoken o200k_base. */
const counter = counterForModel('gpt-4o');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const stderrLines = (r: Run) => r.stderr.split('\n').filter((l) => l.trim() !== '');

function textOfParts(m: MessageRecord | undefined): string {
  return (m?.parts ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

interface OutMessage {
  role: string;
  content: string;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

/**
 * Keeping the first and last request verbatim is the engine's acceptance
 * criterion (bench/QUALITY.md): the summary quotes every request exactly, the
 * first one pinned, and single-request agent runs are cut between tool rounds.
 */
interface Compacted {
  out: { messages: OutMessage[]; report: { status: string; reason?: string; after: { tokens: number } } };
  target: number;
  first: string;
  last: string;
}

/** Runs `compact --json` once per transcript file at T = 25 % of its tokens (memoised: two tests read it). */
const runs = new Map<string, Promise<Compacted>>();
function compactFile(path: string): Promise<Compacted> {
  const cached = runs.get(path);
  if (cached) return cached;
  const p = (async () => {
    const text = readFileSync(path, 'utf8');
    const { log, requestIds } = importTranscript(text, { counter, fileName: basename(path), nativeCompactions: 'ignore' });
    const target = Math.floor(contextTokens(contextOf(log, counter)) / 4);
    const run = await runCli(['compact', path, '--json', '--ignore-native-compactions', '--target-tokens', String(target)]);
    assert.ok(run.code === 0 || run.code === 3, `exit ${run.code}: ${run.stderr}`);
    const byId = new Map(log.records.flatMap((r) => (r.type === 'message' ? [[r.id, r] as const] : [])));
    return {
      out: JSON.parse(run.stdout) as Compacted['out'],
      target,
      first: textOfParts(byId.get(requestIds[0]!)),
      last: textOfParts(byId.get(requestIds.at(-1)!)),
    };
  })();
  runs.set(path, p);
  return p;
}

/** The project's synthetic transcripts on disk (written once per test process). */
const synthetic = writeSyntheticTranscripts(mkdtempSync(join(tmpdir(), 'compactor-cli-synthetic-')));
const sweAgentFile = async () => (await synthetic).get('swe-agent')!;

const transcriptFiles = [
  ...syntheticTranscripts().map((t) => ({ name: t.fileName, firstRequest: t.firstRequest, path: async () => (await synthetic).get(t.format)!, skip: false as const })),
  ...CORPUS.map((f) => ({ name: f.name, firstRequest: f.firstRequest, path: async () => corpusPath(f.name), skip: corpusSkip(f.name) })),
];

describe('compactor compact --json on the synthetic transcripts and the optional corpus', { concurrency: 2 }, () => {
  for (const file of transcriptFiles) {
    it(`${file.name}: one JSON object whose messages fit T = 25 % or whose report says why`, { skip: file.skip }, async () => {
      const { out, target, first } = await compactFile(await file.path());
      assert.deepEqual(Object.keys(out).sort(), ['messages', 'report']);
      assert.ok(Array.isArray(out.messages) && out.messages.length > 0);
      assert.ok(first.startsWith(file.firstRequest), 'the importer found the first request');
      // Recount what was printed, with the same counter, as a model would receive it.
      const printed = importTranscript(JSON.stringify(out.messages), { counter, format: 'openai' }).log;
      const recount = (printed.header.systemTokens ?? 0) + printed.records.reduce((n, r) => n + (r.type === 'message' ? r.tokens : 0), 0);
      if (out.report.status === 'compacted' && out.report.after.tokens <= target) {
        assert.ok(recount <= target, `printed messages count ${recount} > T ${target}`);
      } else {
        assert.ok((out.report.reason ?? '').length > 0, `status ${out.report.status}, ${out.report.after.tokens} tokens > T ${target}, and no reason`);
      }
    });

    it(`${file.name}: keeps the first and last user request verbatim`, { skip: file.skip }, async () => {
      const { out, first, last } = await compactFile(await file.path());
      const all = out.messages.map((m) => [m.content, ...(m.tool_calls ?? []).map((c) => c.function.arguments)].join('\n')).join('\n');
      assert.ok(all.includes(first), `first request lost: ${first.slice(0, 60)}…`);
      assert.ok(all.includes(last), `last request lost: ${last.slice(0, 60)}…`);
    });
  }
});

describe('compactor other commands', { concurrency: 2 }, () => {
  it('--help prints the usage and exits 0', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /compactor stats FILE/);
    assert.match(run.stdout, /--target-tokens N/);
  });

  it('stats --json gives the usage breakdown; the table names every category', async () => {
    const file = await sweAgentFile();
    const json = await runCli(['stats', file, '--json', '--window', '200000']);
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout) as { usage: { window: number; used: number; categories: Record<string, number> } };
    assert.equal(out.usage.window, 200000);
    assert.ok(out.usage.categories.system! > 0 && out.usage.categories.toolResults! > 0);
    assert.equal(out.usage.categories.reservedOutput, 20000);
    const table = await runCli(['stats', file]);
    assert.equal(table.code, 0);
    for (const label of ['System & instructions', 'Tool results', 'Reserved for output', 'Free', 'Used']) assert.ok(table.stdout.includes(label), label);
  });

  it('compact --upto N summarizes only before message N', async () => {
    const run = await runCli(['compact', await sweAgentFile(), '--json', '--upto', '12', '--target-tokens', '3000']);
    assert.ok(run.code === 0 || run.code === 3, run.stderr);
    const out = JSON.parse(run.stdout) as { report: { source: string } };
    assert.equal(out.report.source, 'partial');
  });
});

describe('compactor bad input: non-zero exit, one line on stderr', { concurrency: 2 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'compactor-cli-'));
  const empty = join(dir, 'empty.json');
  writeFileSync(empty, '[]');
  const prose = join(dir, 'notes.txt');
  writeFileSync(prose, 'just some notes\nnot a transcript\n');
  const cases: Array<[string, string[], number, RegExp]> = [
    ['missing file', ['compact', join(dir, 'nope.jsonl')], 1, /no such file/],
    ['unknown format', ['compact', empty, '--format', 'gemini'], 2, /unknown format "gemini"/],
    ['no messages', ['compact', empty, '--format', 'openai'], 1, /no messages/],
    ['undetectable content', ['stats', prose], 1, /cannot tell the transcript format/],
    ['bad number', ['compact', empty, '--target-tokens', 'lots'], 2, /--target-tokens must be an integer/],
    ['unknown flag', ['compact', empty, '--bogus'], 2, /bogus/],
    ['unknown strategy', ['compact', empty, '--strategy', 'llm'], 2, /unknown strategy "llm"/],
    ['missing command', [], 2, /missing command/],
    ['index out of range', ['compact', '<swe-agent>', '--upto', '999'], 2, /out of range/],
  ];
  for (const [label, args, code, pattern] of cases) {
    it(label, async () => {
      const file = await sweAgentFile();
      const run = await runCli(args.map((a) => (a === '<swe-agent>' ? file : a)));
      assert.equal(run.code, code, run.stderr);
      assert.equal(run.stdout, '');
      const lines = stderrLines(run);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, pattern);
    });
  }
});
