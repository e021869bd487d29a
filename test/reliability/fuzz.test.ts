/**
 * Reliability: CLI and JSON-RPC fuzzing with a fixed seed (issue 16). What
 * must hold for every case: the call ends (no hang), the answer is typed (a
 * CLI exit status of 0–3 with no "internal error"; a JSON-RPC result or an
 * error with one of the protocol's codes), and the server process stays up.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc';
import { main } from '../../src/compaction/cli';
import { EngineErrorCodes, Methods } from '../../src/compaction/protocol';
import { type ServerHandle, startServer } from '../server/serverProcess';
import { codingSession } from '../server/sessions';
import { seeded } from './seeded';

export const CLI_CASES = 1000;
export const RPC_CASES = 600;

const SEEDS = [
  JSON.stringify([
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'read the file' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read', arguments: '{"path":"a.ts"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'export const a = 1;\n'.repeat(20) },
    { role: 'assistant', content: 'done' },
  ]),
  [
    { type: 'session', id: 's', cwd: '/w', timestamp: '2025-01-01T00:00:00Z' },
    { type: 'message', timestamp: '2025-01-01T00:00:01Z', message: { role: 'user', content: [{ type: 'text', text: 'one' }] } },
    { type: 'message', timestamp: '2025-01-01T00:00:02Z', message: { role: 'assistant', content: [{ type: 'text', text: 'two' }] } },
    { type: 'compaction', timestamp: '2025-01-01T00:00:03Z', summary: 'S', firstKeptEntryIndex: 1, tokensBefore: 10 },
  ].map((l) => JSON.stringify(l)).join('\n'),
  [
    { type: 'user', uuid: 'u1', parentUuid: null, message: { role: 'user', content: 'hi' }, timestamp: '2025-01-01T00:00:00Z' },
    { type: 'assistant', uuid: 'a1', parentUuid: 'u1', message: { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }] }, timestamp: '2025-01-01T00:00:01Z' },
    { type: 'user', uuid: 'u2', parentUuid: 'a1', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'a\nb' }] }, timestamp: '2025-01-01T00:00:02Z' },
  ].map((l) => JSON.stringify(l)).join('\n'),
];

const JUNK = ['\0', '\uFEFF', '"', '{', '}', '[', ']', ',', ':', 'null', '-1', '1e999', '\n', '\\u0000', '"role"', '"tool_calls":"x"', 'NaN', '😀', '\r\n'];

function mutate(rand: () => number, text: string): string {
  let t = text;
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (t.length + 1));
    const kind = rand();
    if (kind < 0.35) t = t.slice(0, at) + JUNK[Math.floor(rand() * JUNK.length)]! + t.slice(at);
    else if (kind < 0.6) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rand() * 40));
    else if (kind < 0.75) t = t.slice(0, at);
    else if (kind < 0.9) t = t.replace(/"(user|assistant|tool|message|text|tool_use)"/, `"${['x', 'tool', 'system', 'compaction'][Math.floor(rand() * 4)]}"`);
    else t = t + t.slice(0, at);
  }
  return t;
}

describe('reliability: fuzzing', () => {
  it(`CLI: ${CLI_CASES} mutated transcripts and flags end with a typed exit status, never an internal error`, { timeout: 120_000 }, () => {
    const rand = seeded(1616);
    const dir = mkdtempSync(join(tmpdir(), 'compactor-fuzz-'));
    const exits = new Map<number, number>();
    for (let i = 0; i < CLI_CASES; i++) {
      const text = mutate(rand, SEEDS[i % SEEDS.length]!);
      const file = join(dir, `t${i}.${rand() < 0.5 ? 'json' : 'jsonl'}`);
      writeFileSync(file, text);
      const args = rand() < 0.5 ? ['stats', file] : ['compact', file, '--json'];
      if (rand() < 0.3) args.push('--window', [String(Math.floor(rand() * 1e6)), '0', '-5', '9'.repeat(30), 'x', '1.5'][Math.floor(rand() * 6)]!);
      if (rand() < 0.2) args.push('--format', ['openai', 'pi', 'claude-code', 'nope'][Math.floor(rand() * 4)]!);
      if (args[0] === 'compact' && rand() < 0.3) args.push('--strategy', ['mask', 'extractive', 'truncate', 'llm', 'auto'][Math.floor(rand() * 5)]!);
      args.push('--estimate');
      const err: string[] = [];
      const code = main(args, { stdout: () => undefined, stderr: (l) => err.push(l) });
      assert.ok([0, 1, 2, 3].includes(code), `case ${i}: exit ${code}`);
      assert.ok(!err.some((l) => /internal error/.test(l)), `case ${i} (${args.join(' ')}): ${err.join(' | ')}\n${text.slice(0, 300)}`);
      if (code !== 0) assert.ok(err.length > 0, `case ${i}: a failure says why on stderr`);
      exits.set(code, (exits.get(code) ?? 0) + 1);
    }
    process.stdout.write(`# CLI fuzz: ${CLI_CASES} cases, exits ${JSON.stringify(Object.fromEntries(exits))}\n`);
  });

  describe('JSON-RPC', () => {
    let server: ServerHandle;
    before(async () => {
      server = startServer('source');
      await server.initialize();
    });
    after(async () => server.stop());

    it(`${RPC_CASES} fuzzed requests: typed answers, the server stays up`, { timeout: 120_000 }, async () => {
      const rand = seeded(4242);
      const log = codingSession(6);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const junkValue = (): unknown => pick<unknown>([null, 0, -1, 1e308, 'x', '', [], {}, [1, 'a'], { a: { b: [] } }, true, '\0\uFEFF', 'a'.repeat(10_000)]);
      const mutateObject = (v: unknown, depth = 0): unknown => {
        if (depth > 4 || typeof v !== 'object' || v === null) return rand() < 0.1 ? junkValue() : v;
        if (Array.isArray(v)) return v.filter(() => rand() > 0.05).map((x) => (rand() < 0.05 ? junkValue() : mutateObject(x, depth + 1)));
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
          if (rand() < 0.05) continue;
          out[k] = rand() < 0.05 ? junkValue() : mutateObject(x, depth + 1);
        }
        if (rand() < 0.05) out[`extra${Math.floor(rand() * 9)}`] = junkValue();
        return out;
      };
      const methods = [...Object.values(Methods), 'compaction/nope', 'nope'];
      const codes = new Map<string, number>();
      const allowed = new Set<number>([EngineErrorCodes.InvalidParams, EngineErrorCodes.EngineError, -32601 /* method not found */]);
      for (let i = 0; i < RPC_CASES; i++) {
        const method = pick(methods);
        const base: Record<string, unknown> = {
          'compaction/count': { model: 'gpt-4o', texts: ['hello', 'world'] },
          'compaction/usage': { log },
          'compaction/plan': { log },
          'compaction/compact': { log, source: 'manual', strategy: pick(['mask', 'extractive', 'truncate', 'auto']) },
          'compaction/import': { path: pick(['/dev/null', '/dev/zero', '/nonexistent', '/etc/hostname', '/tmp']) },
        };
        const params = rand() < 0.1 ? junkValue() : mutateObject(base[method] ?? {});
        let outcome: string;
        try {
          await Promise.race([
            server.connection.sendRequest(method, params),
            new Promise((_, reject) => setTimeout(() => reject(new Error(`case ${i}: ${method} did not answer in 20 s`)), 20_000)),
          ]);
          outcome = 'ok';
        } catch (err) {
          assert.ok(err instanceof ResponseError, `case ${i}: ${method}: ${String(err)}`);
          assert.ok(allowed.has(err.code), `case ${i}: ${method}: untyped error ${err.code} ${err.message}`);
          outcome = String(err.code);
        }
        codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
      }
      assert.equal(server.child.exitCode, null, 'the server is still running');
      process.stdout.write(`# JSON-RPC fuzz: ${RPC_CASES} requests, outcomes ${JSON.stringify(Object.fromEntries(codes))}\n`);
    });
  });
});
