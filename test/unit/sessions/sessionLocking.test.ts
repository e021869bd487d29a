import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LogRecordSchema } from '../../../src/compaction/records';
import { isPidAlive, LockTimeoutError, withFileLock } from '../../../extension/sessions/fileLock';
import { SessionStore, SessionStoreError } from '../../../extension/sessions/sessionStore';
import { deadPid, userMessage, withTempDir } from './helpers';

const WORKER = join(__dirname, 'fixtures', 'appendWorker.ts');
const APPENDS_PER_WORKER = 200;

function runWorker(dir: string, id: string, worker: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dir, id, worker, String(count)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${worker} exited ${code}: ${stderr}`))));
  });
}

describe('inter-process locking', () => {
  it('two processes appending 200 times each to one session never corrupt it', { timeout: 120_000 }, () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 'shared' });
      await Promise.all([
        runWorker(dir, 'shared', 'a', APPENDS_PER_WORKER),
        runWorker(dir, 'shared', 'b', APPENDS_PER_WORKER),
      ]);
      const raw = await readFile(join(dir, 'shared.jsonl'), 'utf8');
      assert.ok(raw.endsWith('\n'));
      const lines = raw.slice(0, -1).split('\n');
      assert.equal(lines.length, 1 + 2 * APPENDS_PER_WORKER);
      for (const line of lines) assert.ok(LogRecordSchema.safeParse(JSON.parse(line)).success, line.slice(0, 80));
      const { log, warnings } = await store.open('shared');
      assert.deepEqual(warnings, []);
      const ids = new Set(log.records.map((r) => r.id));
      for (const w of ['a', 'b']) {
        for (let i = 0; i < APPENDS_PER_WORKER; i++) assert.ok(ids.has(`${w}-${i}`), `${w}-${i} missing`);
        // Each writer's own records stay in its order.
        const own = log.records.filter((r) => r.id.startsWith(`${w}-`)).map((r) => Number(r.id.split('-')[1]));
        assert.deepEqual(own, [...own].sort((x, y) => x - y));
      }
      assert.ok(!(await readdir(dir)).some((n) => n.endsWith('.lock')), 'a lock file was left behind');
    }));

  it('takes over a lock whose owner process is dead', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir, { lock: { staleMs: 60_000, timeoutMs: 2_000 } });
      await store.create({ id: 's' });
      const pid = await deadPid();
      assert.equal(isPidAlive(pid), false);
      const lock = { pid, host: hostname(), at: Date.now(), nonce: 'dead' };
      await writeFile(join(dir, 's.jsonl.lock'), JSON.stringify(lock));
      const started = Date.now();
      await store.append('s', [userMessage('m1', 'after a crash')]);
      assert.ok(Date.now() - started < 1_000, 'waited for the timeout instead of taking over');
      assert.equal((await store.open('s')).log.records.length, 1);
      assert.ok(!(await readdir(dir)).includes('s.jsonl.lock'));
    }));

  it('takes over a lock older than the stale time even when its pid is alive (pid reuse, hung owner)', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir, { lock: { staleMs: 1_000, timeoutMs: 3_000 } });
      await store.create({ id: 's' });
      const lock = { pid: process.pid, host: hostname(), at: Date.now() - 5_000, nonce: 'old' };
      await writeFile(join(dir, 's.jsonl.lock'), JSON.stringify(lock));
      await store.append('s', [userMessage('m1', 'x')]);
      assert.equal((await store.open('s')).log.records.length, 1);
    }));

  it('waits for a live, fresh lock and gives up with lock_timeout, writing nothing', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir, { lock: { staleMs: 60_000, timeoutMs: 300 } });
      await store.create({ id: 's' });
      const before = await readFile(join(dir, 's.jsonl'), 'utf8');
      const lock = { pid: process.pid, host: hostname(), at: Date.now(), nonce: 'live' };
      await writeFile(join(dir, 's.jsonl.lock'), JSON.stringify(lock));
      await assert.rejects(
        store.append('s', [userMessage('m1', 'x')]),
        (err: unknown) => err instanceof SessionStoreError && err.code === 'lock_timeout',
      );
      assert.equal(await readFile(join(dir, 's.jsonl'), 'utf8'), before);
      // The other owner's lock is left alone.
      assert.equal(JSON.parse(await readFile(join(dir, 's.jsonl.lock'), 'utf8')).nonce, 'live');
    }));

  it('serializes sections in one process and releases the lock when the section throws', () =>
    withTempDir(async (dir) => {
      const lockPath = join(dir, 'x.lock');
      let inside = 0;
      let maxInside = 0;
      const section = async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      };
      await Promise.all(Array.from({ length: 10 }, () => withFileLock(lockPath, section)));
      assert.equal(maxInside, 1);
      await assert.rejects(
        withFileLock(lockPath, async () => {
          throw new Error('boom');
        }),
        /boom/,
      );
      await withFileLock(lockPath, async () => undefined, { timeoutMs: 100 });
      assert.ok(!(await readdir(dir)).includes('x.lock'));
    }));

  it('an empty lock file (owner crashed between create and write) becomes stale by age', () =>
    withTempDir(async (dir) => {
      const lockPath = join(dir, 'y.lock');
      await writeFile(lockPath, '');
      await assert.rejects(
        withFileLock(lockPath, async () => undefined, { staleMs: 60_000, timeoutMs: 100 }),
        LockTimeoutError,
      );
      await new Promise((r) => setTimeout(r, 60));
      let ran = false;
      await withFileLock(lockPath, async () => {
        ran = true;
      }, { staleMs: 50, timeoutMs: 1_000 });
      assert.equal(ran, true);
    }));
});
