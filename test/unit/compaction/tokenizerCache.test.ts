/**
 * The tokenizer cache (src/compaction/tokens/encoderSnapshot.ts): the first
 * process builds the encoder from the rank file and snapshots it; the next
 * restores the snapshot and counts the same; a damaged snapshot is ignored
 * (built again, same counts); COMPACTOR_TOKENIZER_CACHE=off writes nothing.
 * Each load is a child process: the loaded encoder is per process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { get_encoding } from 'tiktoken';

const CHILD = join(__dirname, 'tokenizerCacheChild.ts');
const TEXTS = ['hello world', 'Привет, мир! 你好世界', 'x'.repeat(300), 'function f(a, b) {\n  return a ** b;\n}\n'];

interface ChildResult {
  loadedFrom: 'ranks' | 'snapshot';
  counts: number[];
  viaBindings: number[];
}

function load(env: NodeJS.ProcessEnv): ChildResult {
  const p = spawnSync(process.execPath, ['--import', 'tsx', CHILD], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(p.status, 0, p.stderr);
  return JSON.parse(p.stdout) as ChildResult;
}

test('the encoder is snapshotted once, restored after, and a damaged snapshot is rebuilt, always with the same counts', () => {
  const root = mkdtempSync(join(tmpdir(), 'compactor-tokcache-'));
  const dir = join(root, 'tokenizer');
  try {
    const raw = get_encoding('o200k_base');
    const expected = TEXTS.map((t) => raw.encode_ordinary(t).length);

    const first = load({ COMPACTOR_CACHE: root });
    assert.equal(first.loadedFrom, 'ranks');
    assert.deepEqual(first.counts, expected);
    const snapshots = readdirSync(dir).filter((f) => f.endsWith('.snapshot'));
    assert.equal(snapshots.length, 1, 'one snapshot written');
    const file = join(dir, snapshots[0]!);

    const second = load({ COMPACTOR_CACHE: root });
    assert.equal(second.loadedFrom, 'snapshot');
    assert.deepEqual(second.counts, expected);
    assert.deepEqual(second.viaBindings, expected, "the bindings' own encode works on the restored encoder");

    // Truncated (a crash while copying): ignored, built again, written again whole.
    const whole = readFileSync(file);
    truncateSync(file, whole.byteLength - 65_536);
    const third = load({ COMPACTOR_CACHE: root });
    assert.equal(third.loadedFrom, 'ranks');
    assert.deepEqual(third.counts, expected);
    assert.equal(readFileSync(file).byteLength, whole.byteLength, 'rewritten whole');

    // A wrong encoder pointer: the probe count does not match, so it is not used.
    const headerLength = whole.readUInt32LE(0);
    const header = JSON.parse(whole.subarray(4, 4 + headerLength).toString('utf8')) as { pointer: number };
    const bad = Buffer.from(whole.subarray(4, 4 + headerLength).toString('utf8').replace(`"pointer":${header.pointer}`, `"pointer":${header.pointer + 8}`));
    const lengthPrefix = Buffer.alloc(4);
    lengthPrefix.writeUInt32LE(bad.byteLength, 0);
    writeFileSync(file, Buffer.concat([lengthPrefix, bad, whole.subarray(4 + headerLength)]));
    const fourth = load({ COMPACTOR_CACHE: root });
    assert.equal(fourth.loadedFrom, 'ranks');
    assert.deepEqual(fourth.counts, expected);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('COMPACTOR_TOKENIZER_CACHE=off: built from the rank file every time, nothing written', () => {
  const root = mkdtempSync(join(tmpdir(), 'compactor-tokcache-'));
  try {
    for (let i = 0; i < 2; i++) assert.equal(load({ COMPACTOR_CACHE: root, COMPACTOR_TOKENIZER_CACHE: 'off' }).loadedFrom, 'ranks');
    assert.deepEqual(readdirSync(root), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
