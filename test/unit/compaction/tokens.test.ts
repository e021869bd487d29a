import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliCompressSync } from 'node:zlib';
import { applyCalibration, calibrate } from '../../../src/compaction/tokens/calibration';
import { createEstimateCounter, createTokenCounter } from '../../../src/compaction/tokens/counter';
import { encodingForModel } from '../../../src/compaction/tokens/modelFamilies';
import { readEncoderSpec } from '../../../src/compaction/tokens/tiktokenAssets';
import { unpackRanks } from '../../../src/compaction/tokens/packedRanks';
import { packRanks } from '../../../scripts/packRanks.mjs';
import { IMAGE_TOKENS, MESSAGE_OVERHEAD_TOKENS } from '../../../src/compaction/constants';

test('o200k_base counts "hello world" as 2 tokens', () => {
  const c = createTokenCounter();
  assert.equal(c.encoding, 'o200k_base');
  assert.equal(c.estimated, false);
  assert.equal(c.countText('hello world'), 2);
  assert.equal(c.countText(''), 0);
});

test('cl100k_base differs from o200k_base on the same text and is chosen for gpt-4', () => {
  const text = 'Привет, мир! 你好世界 — tokenizers differ on non-English text.';
  const o = createTokenCounter({ encoding: 'o200k_base' }).countText(text);
  const cl = createTokenCounter({ encoding: 'cl100k_base' }).countText(text);
  assert.notEqual(o, cl);
  assert.ok(cl > o, `cl100k (${cl}) should need more tokens than o200k (${o}) here`);
  assert.equal(encodingForModel('gpt-4'), 'cl100k_base');
  assert.equal(encodingForModel('gpt-4-turbo'), 'cl100k_base');
  assert.equal(encodingForModel('gpt-3.5-turbo'), 'cl100k_base');
  assert.equal(encodingForModel('text-embedding-3-small'), 'cl100k_base');
  assert.equal(encodingForModel('gpt-4o-mini'), 'o200k_base');
  assert.equal(encodingForModel('gpt-4.1'), 'o200k_base');
  assert.equal(encodingForModel({ id: 'copilot-x', family: 'gpt-4' }), 'cl100k_base');
  assert.equal(encodingForModel('claude-sonnet-4'), 'o200k_base');
});

test('special-token text is counted as ordinary text, not rejected', () => {
  assert.ok(createTokenCounter().countText('<|endoftext|>') > 1);
});

test('the counter caches by content: the same text is tokenized once', () => {
  const c = createTokenCounter({ encoding: 'o200k_base' });
  const long = 'x '.repeat(2_000);
  const first = c.countText(long);
  const misses = c.stats.misses;
  assert.equal(c.countText(long), first);
  assert.equal(c.stats.misses, misses, 'second count is a cache hit');
  assert.ok(c.stats.hits >= 1);
});

test('the LRU cache is bounded', () => {
  const c = createTokenCounter({ cacheMaxEntries: 3 });
  for (const t of ['a', 'b', 'c', 'd', 'e']) c.countText(t);
  assert.equal(c.stats.size, 3);
});

test('the cache is bounded by total characters too, evicting the least recently used text', () => {
  const c = createTokenCounter({ cacheMaxChars: 30 });
  const a = 'alpha '.repeat(2); // 12 chars
  const b = 'bravo '.repeat(2);
  const d = 'delta '.repeat(2);
  c.countText(a);
  c.countText(b);
  c.countText(a); // a is now the most recent
  c.countText(d); // 36 chars > 30: b (least recent) goes
  assert.equal(c.stats.size, 2);
  const misses = c.stats.misses;
  c.countText(a);
  assert.equal(c.stats.misses, misses, 'a stayed cached');
  c.countText(b);
  assert.equal(c.stats.misses, misses + 1, 'b was evicted');
  const huge = 'word '.repeat(20);
  assert.equal(c.countText(huge), c.countText(huge), 'a text longer than the bound is counted, not cached');
  assert.ok(c.stats.size <= 3);
});

test('long texts are their own cache key: equal content hits, different content of the same length misses', () => {
  const c = createTokenCounter();
  const x = 'lorem ipsum '.repeat(100);
  const y = 'lorem ipsum '.repeat(99) + 'lorem ipsvm ';
  c.countText(x);
  const misses = c.stats.misses;
  assert.equal(c.countText(x.slice(0, 600) + x.slice(600)), c.countText(x), 'an equal copy is a hit');
  assert.equal(c.stats.misses, misses);
  c.countText(y);
  assert.equal(c.stats.misses, misses + 1, 'same length, other content: counted');
});

test('countParts: tool names and args, results, thinking, images and per-message overhead', () => {
  const c = createTokenCounter();
  assert.equal(c.countParts([]), MESSAGE_OVERHEAD_TOKENS);
  assert.equal(c.countParts([{ type: 'image' }]), MESSAGE_OVERHEAD_TOKENS + IMAGE_TOKENS);
  const small = c.countParts([{ type: 'tool_call', id: '1', name: 'read_file', args: { path: 'a' } }]);
  const big = c.countParts([{ type: 'tool_call', id: '1', name: 'read_file', args: { path: 'a'.repeat(50) + ' b c d e f g' } }]);
  assert.ok(big > small, 'arguments are counted');
  const thinking = c.countParts([{ type: 'thinking', text: 'hello world' }]);
  assert.equal(thinking, MESSAGE_OVERHEAD_TOKENS + 2);
  const res = c.countParts([{ type: 'tool_result', callId: '1', text: 'hello world' }]);
  assert.ok(res > MESSAGE_OVERHEAD_TOKENS + 2, 'tool result text plus framing');
});

test('the estimate counter is marked estimated, chars/4', () => {
  const e = createEstimateCounter();
  assert.equal(e.estimated, true);
  assert.equal(e.encoding, 'estimate');
  assert.equal(e.countText('12345678'), 2);
  assert.equal(e.countText('123456789'), 3);
});

test('rank files load packed from the bundle folder, exactly as tiktoken ships them, and from node_modules without it', () => {
  const require = createRequire(__filename);
  const dir = mkdtempSync(join(tmpdir(), 'tk-'));
  let packed: Buffer = Buffer.alloc(0);
  for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
    const plain = readFileSync(require.resolve(`tiktoken/encoders/${encoding}.json`));
    const shipped = JSON.parse(plain.toString('utf8')) as unknown;
    // Without a packed file it falls back to node_modules.
    assert.deepEqual(readEncoderSpec(encoding, { compressedDir: dir }), shipped);
    packed = packRanks(plain);
    assert.ok(packed.length < plain.length * 0.8, `packed ${packed.length} bytes vs ${plain.length}`);
    writeFileSync(join(dir, `${encoding}.ranks.br`), brotliCompressSync(packed));
    assert.deepEqual(readEncoderSpec(encoding, { compressedDir: dir }), shipped, `${encoding} unpacks to the rank file tiktoken ships`);
  }
  // A torn packed file is an error, not a wrong tokenizer.
  assert.throws(() => unpackRanks(packed.subarray(0, packed.length - 3)), /torn token/);
  assert.throws(() => unpackRanks(Buffer.from('{"magic":"other"}\n')), /magic/);
});

test('calibrate: factor and correction from reported usage; out-of-range is unusable', () => {
  const c = calibrate(1_000, 1_200);
  assert.equal(c.usable, true);
  assert.equal(c.factor, 1.2);
  assert.equal(c.correctionTokens, 200);
  assert.equal(applyCalibration(500, c), 600);
  const bad = calibrate(1_000, 10_000);
  assert.equal(bad.usable, false);
  assert.equal(applyCalibration(500, bad), 500);
  assert.equal(calibrate(0, 100).usable, false);
});
