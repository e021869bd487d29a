/**
 * The shared, independent metric (../shared/eval, its README): run beside the
 * project's own facts (bench/quality/facts.ts), which are found by the same kinds
 * of regexes the extractive summary uses and so partly measure themselves. It
 * scores the CLI's `compact` (dist/cli.js, `npm run build` first) against its
 * baselines on ../shared/corpus, per transcript, at the budgets given. Skipped,
 * with the reason, when ../shared/eval or the build is absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../../src/compaction/errors';

export interface SharedRow {
  method: string;
  transcript: string;
  kind: string;
  coverage: number | null;
  ratio: number;
  taskKept: number;
  lastRequestKept: number;
}

export type SharedEval = { skipped: string } | { budget: number; rows: SharedRow[] };

function parseCsv(text: string): Array<Record<string, string>> {
  const [head, ...lines] = text.trim().split('\n');
  const cols = (head ?? '').split(',');
  // Cells are plain numbers and names except `error`, the last column: split on the first commas only.
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, i === cols.length - 1 ? cells.slice(i).join(',') : (cells[i] ?? '')]));
  });
}

export function runSharedEval(root: string, budget: number): SharedEval {
  const evalDir = join(root, '..', 'shared', 'eval');
  const corpus = join(root, '..', 'shared', 'corpus');
  if (!existsSync(join(evalDir, 'run.mjs'))) return { skipped: `../shared/eval is absent (${evalDir})` };
  if (!existsSync(corpus)) return { skipped: `../shared/corpus is absent (${corpus})` };
  if (!existsSync(join(root, 'dist', 'cli.js'))) return { skipped: 'dist/cli.js is absent: run `npm run build` first' };
  const out = mkdtempSync(join(tmpdir(), 'shared-eval-'));
  try {
    execFileSync(process.execPath, [join(evalDir, 'run.mjs'), '--corpus', corpus, '--method', join(evalDir, 'methods', 'project-cli.sh'), '--name', 'project', '--budget', String(budget), '--out', out], {
      cwd: root, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28, timeout: 900_000,
    });
    const csv = readFileSync(join(out, 'corpus.csv'), 'utf8');
    const rows = parseCsv(csv).map((r) => ({
      method: r.method ?? '', transcript: r.transcript ?? '', kind: r.kind ?? '',
      coverage: r.coverage ? Number(r.coverage) : null, ratio: Number(r.ratio), taskKept: Number(r.task_kept), lastRequestKept: Number(r.last_request_kept),
    }));
    return { budget, rows };
  } catch (err) {
    return { skipped: `the shared eval failed: ${errorMessage(err).split('\n')[0]}` };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const f = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** The markdown section: means per method, then the project and the baselines per transcript. */
export function sharedEvalMarkdown(evals: readonly SharedEval[]): string {
  const lines = ['## Shared metric (../shared/eval, independent)', ''];
  lines.push(
    'Not this bench\'s own facts: `../shared/eval` normalises each transcript to chat messages, splits it at ~70 % of its tokens, and counts how much of what the suffix uses again (file paths, errors, exceptions, commands, packages, calls, …, weighted) the compacted prefix keeps; `task_kept` / `last_request_kept` = ≥ 80 % of the first / last request\'s words survive (agent traces: the last observation). `project` is the CLI\'s `compact` (`../shared/eval/methods/project-cli.sh`).',
    '',
  );
  for (const e of evals) {
    if ('skipped' in e) {
      lines.push(`Skipped: ${e.skipped}.`, '');
      continue;
    }
    const methods = [...new Set(e.rows.map((r) => r.method))];
    lines.push(`### Budget ${Math.round(e.budget * 100)} % of the prefix`, '', '| method | mean coverage | mean ratio | task_kept | last_request_kept | n |', '|---|---:|---:|---:|---:|---:|');
    for (const m of methods) {
      const rs = e.rows.filter((r) => r.method === m);
      lines.push(`| ${m} | ${f(mean(rs.filter((r) => r.coverage !== null).map((r) => r.coverage!)), 3)} | ${f(mean(rs.map((r) => r.ratio)), 3)} | ${f(mean(rs.map((r) => r.taskKept)))} | ${f(mean(rs.map((r) => r.lastRequestKept)))} | ${rs.length} |`);
    }
    const shown = methods.filter((m) => m !== 'full_prefix');
    lines.push('', `Coverage per transcript (ratio in brackets; * = first or last request lost):`, '', `| transcript | ${shown.join(' | ')} |`, `|---|${shown.map(() => '---:').join('|')}|`);
    for (const t of [...new Set(e.rows.map((r) => r.transcript))]) {
      const cells = shown.map((m) => {
        const r = e.rows.find((x) => x.method === m && x.transcript === t);
        return r ? `${f(r.coverage)} (${f(r.ratio)})${r.taskKept && r.lastRequestKept ? '' : '*'}` : '–';
      });
      lines.push(`| ${t} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
