/**
 * Issue 16, defect 1: a dead owner's stale lock with several waiters. Before
 * the fix, `removeIfStale` read, re-read and deleted the lock in separate steps,
 * so a waiter could delete the lock a rival had just created and both entered
 * (14 of 60 rounds with two contenders). What must survive: at most one holder
 * at any instant, in every round; no lock file is ever visible without its owner.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withFileLock } from '../../../extension/sessions/fileLock';
import { deadPid, withTempDir } from './helpers';

describe('stale lock takeover', () => {
  it('several waiters on a dead owner\'s lock: never two holders at once (40 rounds × 6 contenders)', { timeout: 60_000 }, () =>
    withTempDir(async (dir) => {
      const pid = await deadPid();
      let overlaps = 0;
      let maxInside = 0;
      for (let round = 0; round < 40; round++) {
        const lockPath = join(dir, `r${round}.lock`);
        await writeFile(lockPath, JSON.stringify({ pid, host: hostname(), at: Date.now(), nonce: `dead${round}` }));
        let inside = 0;
        const section = async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          if (inside > 1) overlaps++;
          await new Promise((r) => setTimeout(r, 3));
          inside--;
        };
        await Promise.all(Array.from({ length: 6 }, () => withFileLock(lockPath, section, { staleMs: 60_000, timeoutMs: 10_000 })));
      }
      assert.equal(overlaps, 0, `rounds with two holders at once (max ${maxInside} inside)`);
      assert.deepEqual((await readdir(dir)).filter((n) => n.includes('.lock')), [], 'every lock (and every temp/stale file) is gone');
    }));

  it('the lock is created with its owner in one step: another process never reads it empty', { timeout: 30_000 }, () =>
    withTempDir(async (dir) => {
      // A crash between "create" and "write owner" left an empty lock that stalled the next append for 10 s.
      // A second process polls the lock path in a tight loop while this one takes and releases it.
      const lockPath = join(dir, 'x.lock');
      const poller = spawn(
        process.execPath,
        ['-e', `const fs=require('fs');let empty=0,seen=0;const end=Date.now()+20000;
          while(!fs.existsSync(${JSON.stringify(join(dir, 'stop'))})&&Date.now()<end){try{const r=fs.readFileSync(${JSON.stringify(lockPath)},'utf8');seen++;if(r==='')empty++;}catch{}}
          process.stdout.write(JSON.stringify({empty,seen}));`],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      poller.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise((r) => poller.on('exit', r));
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 500; i++) await withFileLock(lockPath, async () => undefined);
      await writeFile(join(dir, 'stop'), '');
      await exited;
      const { empty, seen } = JSON.parse(out) as { empty: number; seen: number };
      assert.ok(seen > 0, 'the poller saw the lock at least once');
      assert.equal(empty, 0, `${empty} of ${seen} reads saw an empty lock (owner not written yet)`);
    }));
});
