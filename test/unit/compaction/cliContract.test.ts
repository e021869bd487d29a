/**
 * Issue 16, defects 3 and 5: the CLI's contract on hostile input. What must
 * hold: every run ends (never hangs), bad input is a clear non-zero error or a
 * stderr warning that keeps the data, and no record is silently lost.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../../src/compaction/cli';
import { toMarkdown } from '../../../src/compaction/export/markdown';
import { importTranscript } from '../../../src/compaction/importers';
import { stringifyDeep } from '../../../src/compaction/safeJson';
import { createEstimateCounter } from '../../../src/compaction/tokens/counter';

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'src', 'compaction', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'compactor-cli-contract-'));
const BOM = '\uFEFF';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  const err: string[] = [];
  const code = main(args, { stdout: (t) => (out += t), stderr: (l) => err.push(l) });
  return { code, out, err: err.join('\n') };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const estimate = () => createEstimateCounter();

describe('BOM in transcripts (defect 3)', () => {
  it('a BOM\'d JSON transcript imports, with and without --format', () => {
    const p = file('bom.json', `${BOM}${JSON.stringify([{ role: 'user', content: 'first request' }, { role: 'assistant', content: 'ok' }])}`);
    for (const extra of [[], ['--format', 'openai']]) {
      const r = run(['stats', p, '--estimate', '--json', ...extra]);
      assert.equal(r.code, 0, r.err);
      assert.equal((JSON.parse(r.out) as { session: { messages: number } }).session.messages, 2);
    }
  });

  it('a BOM\'d JSONL transcript keeps its first line (the first request)', () => {
    const text = `${BOM}${JSON.stringify({ role: 'user', content: 'first request' })}\n${JSON.stringify({ role: 'assistant', content: 'ok' })}\n`;
    const { log, warnings } = importTranscript(text, { counter: estimate(), format: 'openai' });
    assert.equal(log.records.length, 2, 'before the fix the first line was lost');
    assert.deepEqual(warnings, []);
  });
});

describe('CLI contract (defect 5)', () => {
  it('a FIFO and /dev/zero are refused at once with exit 1, never read', { timeout: 60_000 }, () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    for (const p of [fifo, '/dev/zero']) { // /dev/urandom is a character device too: same path
      if (!existsSync(p)) continue;
      // A child process with a timeout: before the fix these hung forever.
      const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'stats', p], { cwd: ROOT, timeout: 20_000, encoding: 'utf8' });
      assert.equal(r.signal, null, `${p}: hung`);
      assert.equal(r.status, 1, `${p}: ${r.stderr}`);
      assert.match(r.stderr, /is not a regular file/);
    }
  });

  it('numbers that are not safe integers are a command-line error (exit 2), never "Window ∞"', () => {
    const p = file('ok.json', JSON.stringify([{ role: 'user', content: 'x' }]));
    const huge = '9'.repeat(400);
    for (const flag of ['--window', '--target-tokens']) {
      const args = flag === '--window' ? ['stats', p, flag, huge] : ['compact', p, flag, huge];
      const r = run([...args, '--estimate']);
      assert.equal(r.code, 2, `${flag}: ${r.out}`);
      assert.match(r.err, new RegExp(`${flag} must be an integer`));
      assert.doesNotMatch(r.out, /∞/);
    }
    assert.equal(run(['stats', p, '--window', String(2 ** 53), '--estimate']).code, 2);
  });

  it('an orphan tool result is kept and warned about on stderr', () => {
    const p = file('orphan.json', JSON.stringify([{ role: 'user', content: 'hi' }, { role: 'tool', tool_call_id: 'zz', content: 'result' }]));
    const r = run(['stats', p, '--estimate', '--json']);
    assert.equal((JSON.parse(r.out) as { session: { messages: number } }).session.messages, 2, 'the result is kept');
    assert.match(r.err, /warning: .*tool result for call "zz" that no earlier assistant message made/);
  });

  it('tool_calls of the wrong type: the message\'s text is kept, the calls left out with a warning', () => {
    const p = file('wrongtc.json', JSON.stringify([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'the answer', tool_calls: 'oops' }]));
    const r = run(['stats', p, '--estimate', '--json']);
    assert.equal((JSON.parse(r.out) as { session: { messages: number } }).session.messages, 2, 'before the fix the assistant message was dropped');
    assert.match(r.err, /tool_calls is not a list of calls \(got string\)/);
  });

  it('a pi compaction with an out-of-range index is ignored with a warning (the full transcript kept)', () => {
    const lines = [
      { type: 'session', id: 's', cwd: '/w', timestamp: '2025-01-01T00:00:00Z' },
      { type: 'message', timestamp: '2025-01-01T00:00:01Z', message: { role: 'user', content: [{ type: 'text', text: 'one' }] } },
      { type: 'message', timestamp: '2025-01-01T00:00:02Z', message: { role: 'assistant', content: [{ type: 'text', text: 'two' }] } },
      { type: 'compaction', timestamp: '2025-01-01T00:00:03Z', summary: 'S', firstKeptEntryIndex: 999, tokensBefore: 10 },
    ];
    const { log, warnings } = importTranscript(lines.map((l) => JSON.stringify(l)).join('\n'), { counter: estimate(), format: 'pi' });
    assert.equal(log.records.filter((r) => r.type === 'compaction').length, 0, 'before the fix the summary replaced every message');
    assert.match(warnings.map((w) => w.message).join('\n'), /keeps from entry 999, which is not an earlier entry/);
  });

  it('100,000-deep tool arguments: stats, compact and the Markdown export finish without a stack overflow', { timeout: 60_000 }, () => {
    const depth = 100_000;
    const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const transcript = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: deep } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'ok' },
    ];
    const p = file('deep.json', JSON.stringify(transcript));
    for (const args of [['stats', p], ['compact', p, '--json']]) {
      const r = run([...args, '--estimate']);
      assert.doesNotMatch(r.err, /internal error|call stack/, r.err);
      assert.ok(r.code === 0 || r.code === 3, `${args[0]}: exit ${r.code}: ${r.err}`);
    }
    const { log } = importTranscript(JSON.stringify(transcript), { counter: estimate(), format: 'openai' });
    assert.ok(toMarkdown(log).includes('"a"'));
    // A session log holding the object itself (not text), as a store could: the export still renders.
    let obj: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < depth; i++) obj = { a: obj };
    const call = { type: 'tool_call' as const, id: 'c1', name: 'f', args: obj };
    const md = toMarkdown({ header: { type: 'session', v: 1, id: 's', createdAt: 't' }, records: [{ type: 'message', id: 'm', at: 't', role: 'assistant', parts: [call], tokens: 1, encoding: 'estimate' }] });
    assert.ok(md.length > depth);
  });

  it('stringifyDeep writes what JSON.stringify writes', () => {
    const values: unknown[] = [null, 1, 'x"y', [], {}, [1, [2, { a: [3, null, 'é'] }]], { a: undefined, b: 1, c: { d: [true, false] } }];
    for (const v of values) {
      assert.equal(stringifyDeep(v), JSON.stringify(v));
      assert.equal(stringifyDeep(v, 2), JSON.stringify(v, null, 2));
    }
  });
});
