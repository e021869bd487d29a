/**
 * Reliability: crash injection and concurrent writers, with real child
 * processes (issue 16). What must survive:
 * - crash: every record whose append was acknowledged before a SIGKILL is in
 *   the log afterwards, the log opens, and the next writer (after the dead
 *   one's lock) appends on.
 * - stale lock: with a dead owner's lock and several contenders, at most one
 *   holds the lock at any time, and every batch (about 1.2 MB each) lands
 *   whole.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SessionStore } from '../../extension/sessions/sessionStore';
import { LogRecordSchema } from '../../src/compaction/records';
import { withTempDir } from '../unit/sessions/helpers';
import { seeded } from './seeded';

export const CRASH_ROUNDS = 10;
export const LOCK_ROUNDS = 20;
export const LOCK_CONTENDERS = 4;
const BATCH_BYTES = 1_200_000;

function worker(name: string, args: string[]): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out + err, exited };
}

describe('reliability: crashes and concurrent writers', () => {
  it(`kill -9 during appends, ${CRASH_ROUNDS} rounds: every acknowledged record survives`, { timeout: 240_000 }, () =>
    withTempDir(async (dir) => {
      const rand = seeded(16);
      const store = new SessionStore(dir);
      await store.create({ id: 's' });
      const acked: string[] = [];
      for (let round = 0; round < CRASH_ROUNDS; round++) {
        const w = worker('ackWorker.ts', [dir, 's', `r${round}`, '100000', '20000']);
        // Wait for the first acks (tsx start-up varies), then kill at a random moment.
        while (!/ack /.test(w.out()) && w.child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 50 + Math.floor(rand() * 400)));
        w.child.kill('SIGKILL');
        await w.exited;
        const ids = [...w.out().matchAll(/^ack (\S+)$/gm)].map((m) => m[1]!);
        assert.ok(ids.length > 0, `round ${round}: the worker acknowledged nothing: ${w.out().slice(0, 300)}`);
        acked.push(...ids);
        const { log } = await store.open('s');
        const onDisk = new Set(log.records.map((r) => r.id));
        const lost = acked.filter((id) => !onDisk.has(id));
        assert.deepEqual(lost, [], `round ${round}: acknowledged records lost`);
      }
      // One more clean append after the last crash: the torn tail is repaired and the log stays valid JSONL.
      await store.append('s', [{ type: 'message', id: 'final', at: new Date().toISOString(), role: 'user', parts: [{ type: 'text', text: 'after' }], tokens: 1, encoding: 'estimate' }]);
      const raw = await readFile(join(dir, 's.jsonl'), 'utf8');
      for (const line of raw.trimEnd().split('\n')) assert.ok(LogRecordSchema.safeParse(JSON.parse(line)).success, `invalid line: ${line.slice(0, 80)}`);
      const { log, warnings } = await store.open('s');
      assert.deepEqual(warnings, []);
      assert.equal(new Set(log.records.map((r) => r.id)).size, log.records.length, 'no record twice');
      process.stdout.write(`# crash injection: ${CRASH_ROUNDS} rounds, ${acked.length} acknowledged records, 0 lost\n`);
    }));

  it(`a dead owner's stale lock with ${LOCK_CONTENDERS} contending processes, ${LOCK_ROUNDS} rounds: one holder at a time, no batch spliced`, { timeout: 240_000 }, () =>
    withTempDir(async (root) => {
      const dead = await new Promise<number>((resolve) => {
        const c = spawn(process.execPath, ['-e', '0']);
        c.once('exit', () => resolve(c.pid ?? 0));
      });
      const stores: SessionStore[] = [];
      for (let round = 0; round < LOCK_ROUNDS; round++) {
        const store = new SessionStore(join(root, `r${round}`));
        await store.create({ id: 's' });
        stores.push(store);
      }
      const workers = Array.from({ length: LOCK_CONTENDERS }, (_, i) => worker('lockWorker.ts', [root, String(LOCK_ROUNDS), `w${i}`, String(BATCH_BYTES)]));
      while (!workers.every((w) => /ready/.test(w.out()) || w.child.exitCode !== null)) await new Promise((r) => setTimeout(r, 20));
      let batches = 0;
      for (let round = 0; round < LOCK_ROUNDS; round++) {
        const dir = join(root, `r${round}`);
        await writeFile(join(dir, 's.jsonl.lock'), JSON.stringify({ pid: dead, host: hostname(), at: Date.now(), nonce: 'dead' }));
        await writeFile(join(root, `start-${round}`), '');
        const doneLine = new RegExp(`^done ${round}$`, 'm');
        while (!workers.every((w) => doneLine.test(w.out()) || w.child.exitCode !== null)) await new Promise((r) => setTimeout(r, 10));
        for (const w of workers) assert.match(w.out(), doneLine, w.out().slice(-500));
        const { log, warnings } = await stores[round]!.open('s');
        assert.deepEqual(warnings, [], `round ${round}: lines spliced or torn`);
        assert.equal(log.records.length, LOCK_CONTENDERS * 4, `round ${round}: every record of every batch`);
        batches += LOCK_CONTENDERS;
      }
      const codes = await Promise.all(workers.map((w) => w.exited));
      assert.deepEqual(codes, workers.map(() => 0));
      const overlaps = workers.reduce((n, w) => n + (w.out().match(/^overlap$/gm)?.length ?? 0), 0);
      assert.equal(overlaps, 0, 'two holders of the stale lock at once');
      process.stdout.write(`# stale lock: ${LOCK_ROUNDS} rounds × ${LOCK_CONTENDERS} processes, ${batches} batches of ~1.2 MB, 0 overlaps\n`);
    }));
});
