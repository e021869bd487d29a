/**
 * Issue 16, defects 2, 6 and 7: what a log may contain that this version did
 * not write, and reading it in pieces. What must survive in every case: each
 * acknowledged record, the file's bytes (nothing is rewritten away), and a log
 * that stays valid JSONL after the next append.
 */
import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseLogBuffer, parseLogFile } from '../../../extension/sessions/logParser';
import { SessionStore } from '../../../extension/sessions/sessionStore';
import { LOG_VERSION } from '../../../src/compaction/records';
import { userMessage, withTempDir } from './helpers';

const header = (extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'session', v: LOG_VERSION, id: 's', createdAt: '2025-01-01T00:00:00.000Z', ...extra });
const line = (id: string, text = 'hello') => JSON.stringify(userMessage(id, text));

async function opened(dir: string, content: string | Buffer) {
  await writeFile(join(dir, 's.jsonl'), content);
  const store = new SessionStore(dir);
  const { log, warnings } = await store.open('s');
  return { store, ids: log.records.map((r) => r.id), warnings, log };
}

describe('logs written by others: skip what cannot be read, keep everything', () => {
  it('a header with a newer version loads what this version understands', () =>
    withTempDir(async (dir) => {
      const content = `${header({ v: LOG_VERSION + 1, futureField: { x: 1 } })}\n${line('m1')}\n`;
      const { ids, warnings, log } = await opened(dir, content);
      assert.deepEqual(ids, ['m1']);
      assert.equal(log.header.id, 's');
      assert.match(warnings.join('\n'), /written by a newer version .*log v2/);
      assert.equal(await readFile(join(dir, 's.jsonl'), 'utf8'), content, 'the newer header is not rewritten');
    }));

  it('records of an unknown type are kept in the file and ignored in the fold; appends after them stay valid', () =>
    withTempDir(async (dir) => {
      const future = JSON.stringify({ type: 'x-future-record', id: 'p1', at: '2025-01-01T00:00:00.000Z', messageId: 'm1' });
      const { store, ids, warnings } = await opened(dir, `${header()}\n${line('m1')}\n${future}\n${future.replace('p1', 'p2')}\n${line('m2')}\n`);
      assert.deepEqual(ids, ['m1', 'm2']);
      assert.deepEqual(warnings, ['ignored 2 records of types this version does not know (x-future-record); kept in the file']);
      await store.append('s', [userMessage('m3', 'after')]);
      const raw = await readFile(join(dir, 's.jsonl'), 'utf8');
      assert.equal((raw.match(/"type":"x-future-record"/g) ?? []).length, 2, 'the future records survive an append');
      assert.deepEqual((await store.open('s')).log.records.map((r) => r.id), ['m1', 'm2', 'm3']);
      assert.match(await store.exportJsonl('s'), /"type":"x-future-record"/, 'and an export');
    }));

  it('a message part of an unknown type is left out of the fold, the message kept', () =>
    withTempDir(async (dir) => {
      const msg = JSON.parse(line('m1')) as { parts: unknown[] };
      msg.parts.push({ type: 'hologram', data: 'x' });
      const { ids, warnings, log } = await opened(dir, `${header()}\n${JSON.stringify(msg)}\n`);
      assert.deepEqual(ids, ['m1']);
      const first = log.records[0];
      assert.equal(first?.type === 'message' ? first.parts.length : -1, 1);
      assert.match(warnings.join('\n'), /left out 1 message part of unknown types/);
    }));

  it('a UTF-8 BOM before the header is ignored', () =>
    withTempDir(async (dir) => {
      const { ids, warnings, store } = await opened(dir, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${header()}\n${line('m1')}\n`)]));
      assert.deepEqual(ids, ['m1']);
      assert.deepEqual(warnings, []);
      assert.ok(!(await store.exportJsonl('s')).startsWith('\uFEFF'), 'an export drops the BOM');
    }));

  it('NUL runs (a power loss on some filesystems) are ignored, the records around them kept', () =>
    withTempDir(async (dir) => {
      const nul = '\0'.repeat(4096);
      const { ids, store } = await opened(dir, `${header()}\n${line('m1')}\n${nul}\n${nul}${line('m2')}\n${nul}`);
      assert.deepEqual(ids, ['m1', 'm2']);
      await store.append('s', [userMessage('m3', 'after')]);
      assert.deepEqual((await store.open('s')).log.records.map((r) => r.id), ['m1', 'm2', 'm3']);
    }));

  it('one garbage line in the middle: the rest loads, the line stays, one warning', () =>
    withTempDir(async (dir) => {
      const { ids, warnings } = await opened(dir, `${header()}\n${line('m1')}\n\u0007garbage{{{\n${line('m2')}\n{"type":"session","v":1,"id":"x","createdAt":"t"}\n${line('m3')}\n`);
      assert.deepEqual(ids, ['m1', 'm2', 'm3']);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', /skipped 2 unreadable lines \(line 3: not valid JSON; line 5: a second session header\)/);
      assert.deepEqual(await readdir(dir), ['s.jsonl'], 'nothing quarantined');
    }));

  it('a line over the line limit is skipped without being read into memory; a torn one over it is cut and saved', () =>
    withTempDir(async (dir) => {
      const big = line('big', 'x'.repeat(5000));
      await writeFile(join(dir, 's.jsonl'), `${header()}\n${line('m1')}\n${big}\n${line('m2')}\n`);
      const store = new SessionStore(dir, { maxLineBytes: 1000, readChunkBytes: 64 });
      const { log, warnings } = await store.open('s');
      assert.deepEqual(log.records.map((r) => r.id), ['m1', 'm2']);
      assert.match(warnings.join('\n'), /line 3: longer than the 1000-byte line limit/);
      // A torn last line bigger than the limit (the >2 GiB case in small): cut off and saved, then the append is valid.
      await appendFile(join(dir, 's.jsonl'), big.slice(0, 3000));
      const { warnings: repaired } = await store.append('s', [userMessage('m3', 'after')]);
      assert.match(repaired.join('\n'), /cut off an incomplete last line \(3000 bytes\)/);
      assert.deepEqual((await store.open('s')).log.records.map((r) => r.id), ['m1', 'm2', 'm3']);
      const saved = (await readdir(join(dir, 'quarantine'))).find((n) => n.includes('.torn.'));
      assert.equal((await readFile(join(dir, 'quarantine', saved ?? ''), 'utf8')).length, 3000);
    }));

  it('an export over the export limit is a too_large store error, not a RangeError', () =>
    withTempDir(async (dir) => {
      await writeFile(join(dir, 's.jsonl'), `${header()}\n${line('m1', 'y'.repeat(2000))}\n`);
      const store = new SessionStore(dir, { maxExportBytes: 1000 });
      await assert.rejects(store.exportJsonl('s'), (err: unknown) => (err as { code?: string }).code === 'too_large');
    }));

  it('reading in chunks of any size gives the same records and offsets as one buffer', () =>
    withTempDir(async (dir) => {
      const content = Buffer.from(`\uFEFF${header()}\n${line('m1', 'é😀'.repeat(50))}\n\0\0\nbad\n${line('m2')}\n{"type":"x-future-record"}\n${line('m3')}\n{"type":"mess`);
      const path = join(dir, 'x.jsonl');
      await writeFile(path, content);
      const whole = parseLogBuffer(content, { expectHeader: true });
      assert.ok(whole.ok);
      for (const chunkBytes of [1, 2, 3, 7, 64, 1 << 20]) {
        const { result } = await parseLogFile(path, { expectHeader: true, chunkBytes });
        assert.deepEqual(result, whole, `chunkBytes ${chunkBytes}`);
      }
      assert.deepEqual(whole.log.records.map((r) => r.id), ['m1', 'm2', 'm3']);
    }));
});

describe('two windows on one folder see each other\'s appends (issue 16, defect 6)', () => {
  it('refresh() adds what another store appended; append({ follow }) keeps file order', () =>
    withTempDir(async (dir) => {
      const a = new SessionStore(dir);
      const b = new SessionStore(dir);
      const created = await a.create({ id: 's' });
      await a.append('s', [userMessage('a1', 'from A')], { follow: created });
      const inB = (await b.open('s')).log;
      await b.append('s', [userMessage('b1', 'from B')], { follow: inB });
      await b.append('s', [userMessage('b2', 'from B')], { follow: inB });
      // A's cached log is stale until it refreshes (before the fix it stayed stale for good).
      assert.deepEqual(created.records.map((r) => r.id), ['a1']);
      const { added } = await a.refresh(created);
      assert.equal(added, 2);
      assert.deepEqual(created.records.map((r) => r.id), ['a1', 'b1', 'b2']);
      // An append that follows a stale copy first takes the foreign records, then its own.
      await b.append('s', [userMessage('b3', 'from B')], { follow: inB });
      await a.append('s', [userMessage('a2', 'from A')], { follow: created });
      const onDisk = (await new SessionStore(dir).open('s')).log.records.map((r) => r.id);
      assert.deepEqual(onDisk, ['a1', 'b1', 'b2', 'b3', 'a2']);
      assert.deepEqual(created.records.map((r) => r.id), onDisk, 'window A sends what is on disk');
      await b.refresh(inB);
      assert.deepEqual(inB.records.map((r) => r.id), onDisk, 'window B too');
      assert.equal((await a.refresh(created)).added, 0, 'nothing new: nothing added twice');
    }));

  it('a session deleted and created again under the same id is re-read whole', () =>
    withTempDir(async (dir) => {
      const a = new SessionStore(dir);
      const b = new SessionStore(dir);
      await a.create({ id: 's' });
      const inA = (await a.open('s')).log;
      await a.append('s', [userMessage('old', 'x')], { follow: inA });
      await b.delete('s');
      await b.create({ id: 's', title: 'another' });
      await b.append('s', [userMessage('new', 'y')]);
      const r = await a.refresh(inA);
      assert.equal(r.reread, true);
      assert.deepEqual(inA.records.map((x) => x.id), ['new']);
    }));
});
