/**
 * Reliability: crafted session logs (issue 16, defect 2), generated with a
 * fixed seed. Each case mixes good records with what a crash, another tool or
 * a newer version can leave: torn lines, a BOM, NUL runs, garbage, records and
 * parts of unknown types, a newer header, lines over the line limit. What must
 * survive in every case: each good record loads, in order; opening changes no
 * byte of the file; an append after it keeps every earlier byte (except a torn
 * tail, cut and saved) and the new record loads too.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SessionStore } from '../../extension/sessions/sessionStore';
import { LOG_VERSION } from '../../src/compaction/records';
import { withTempDir } from '../unit/sessions/helpers';
import { seeded } from './seeded';

export const CRAFTED_CASES = 150;
const MAX_LINE = 2_000;

type Noise = (rand: () => number) => string;
const NOISE: Record<string, Noise> = {
  garbage: (r) => `garbage ${Math.floor(r() * 1e6)} {{{`,
  nul: (r) => '\0'.repeat(1 + Math.floor(r() * 5000)),
  unknownType: (r) => JSON.stringify({ type: ['x-future-a', 'x-future-b', 'x-future-c'][Math.floor(r() * 3)], id: `u${Math.floor(r() * 1e6)}`, at: 't', data: { x: 1 } }),
  wrongShape: () => JSON.stringify({ type: 'message', id: 'broken' }),
  secondHeader: () => JSON.stringify({ type: 'session', v: 1, id: 'other', createdAt: 't' }),
  hugeLine: () => JSON.stringify({ type: 'message', id: 'huge', text: 'h'.repeat(MAX_LINE * 2) }),
  array: () => '[1,2,3]',
  blank: () => '   ',
};

function message(id: string, extraPart = false): string {
  const parts: unknown[] = [{ type: 'text', text: `text of ${id} é😀` }];
  if (extraPart) parts.push({ type: 'hologram', payload: 'from a newer version' });
  return JSON.stringify({ type: 'message', id, at: '2025-01-01T00:00:00.000Z', role: 'user', parts, tokens: 1, encoding: 'estimate' });
}

function craft(rand: () => number, n: number): { bytes: Buffer; good: string[]; torn: boolean } {
  const noiseNames = Object.keys(NOISE);
  const good: string[] = [];
  const v = rand() < 0.2 ? LOG_VERSION + 1 + Math.floor(rand() * 3) : LOG_VERSION;
  const lines = [JSON.stringify({ type: 'session', v, id: `s${n}`, createdAt: '2025-01-01T00:00:00.000Z', ...(v > LOG_VERSION ? { newField: [1] } : {}) })];
  const count = 1 + Math.floor(rand() * 12);
  for (let i = 0; i < count; i++) {
    if (rand() < 0.5) lines.push(NOISE[noiseNames[Math.floor(rand() * noiseNames.length)]!]!(rand));
    const id = `c${n}-m${i}`;
    good.push(id);
    lines.push(message(id, rand() < 0.15));
  }
  let text = `${lines.join('\n')}\n`;
  if (rand() < 0.2) text = text.replace(/\n(?=[^\n]*\n$)/, '\n\0\0\0\0'); // NULs glued before the last record
  let torn = false;
  if (rand() < 0.3) {
    torn = true;
    text += message(`c${n}-torn`).slice(0, 10 + Math.floor(rand() * 60)); // a crash mid-append
  }
  const bom = rand() < 0.2 ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0);
  return { bytes: Buffer.concat([bom, Buffer.from(text)]), good, torn };
}

describe('reliability: crafted logs', () => {
  it(`${CRAFTED_CASES} crafted logs: every good record loads, nothing on disk is rewritten away`, { timeout: 120_000 }, () =>
    withTempDir(async (dir) => {
      const rand = seeded(2016);
      const store = new SessionStore(dir, { maxLineBytes: MAX_LINE, readChunkBytes: 257 });
      let goodRecords = 0;
      for (let n = 0; n < CRAFTED_CASES; n++) {
        const { bytes, good, torn } = craft(rand, n);
        const id = `s${n}`;
        const path = join(dir, `${id}.jsonl`);
        await writeFile(path, bytes);
        const opened = await store.open(id);
        assert.deepEqual(opened.log.records.map((r) => r.id), good, `case ${n}: good records`);
        assert.ok((await readFile(path)).equals(bytes), `case ${n}: opening changed the file`);
        await store.append(id, [JSON.parse(message(`c${n}-after`)) as never]);
        const after = await readFile(path);
        const keep = torn ? bytes.lastIndexOf(0x0a) + 1 : bytes.length;
        assert.ok(after.subarray(0, keep).equals(bytes.subarray(0, keep)), `case ${n}: an append rewrote earlier bytes`);
        assert.deepEqual((await store.open(id)).log.records.map((r) => r.id), [...good, `c${n}-after`], `case ${n}: after an append`);
        goodRecords += good.length;
        // list() agrees with open() (its incremental fold uses the same parser).
        const listing = await store.list();
        assert.equal(listing.sessions.find((x) => x.id === id)?.messageCount, good.length + 1, `case ${n}: list()`);
        assert.deepEqual(listing.quarantined, []);
        await store.delete(id);
      }
      process.stdout.write(`# crafted logs: ${CRAFTED_CASES} cases, ${goodRecords} good records, all loaded\n`);
    }));
});
