import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runWithSpawn } from '../../../extension/tools/terminal/spawnRunner';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compactor-spawn-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Running (a zombie waiting for a reaper that never comes, as in some containers, counts as stopped). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

test('the exit code, stdout and stderr of a command in its folder come back', async () => {
  const r = await runWithSpawn({ command: 'pwd; echo out; echo err >&2; exit 3', cwd: dir, timeoutMs: 10_000 });
  assert.equal(r.exitCode, 3);
  assert.match(r.output, new RegExp(`${fs.realpathSync(dir)}\\nout\\n`));
  assert.match(r.output, /err/);
  assert.equal(r.timedOut, false);
});

test('a timeout stops the command and what it started (its process group)', async () => {
  const pidFile = path.join(dir, 'child.pid');
  const started = Date.now();
  const r = await runWithSpawn({ command: `sleep 30 & echo $! > ${pidFile}; wait`, cwd: dir, timeoutMs: 500, killGraceMs: 500 });
  assert.equal(r.timedOut, true);
  // Had only the shell been killed, the sleep would hold the output pipe open for its 30 s.
  assert.ok(Date.now() - started < 10_000, `stopped in ${Date.now() - started} ms`);
  const childPid = Number(fs.readFileSync(pidFile, 'utf8'));
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(alive(childPid), false, 'the background sleep was killed with its group');
});

test('cancellation stops the command', async () => {
  let cancel: () => void = () => undefined;
  const started = Date.now();
  const run = runWithSpawn({
    command: 'echo started; sleep 30',
    cwd: dir,
    timeoutMs: 60_000,
    onCancel: (listener) => {
      cancel = listener;
      return () => undefined;
    },
  });
  setTimeout(() => cancel(), 300);
  const r = await run;
  assert.equal(r.cancelled, true);
  assert.match(r.output, /started/);
  assert.ok(Date.now() - started < 10_000);
});

test('huge output is bounded while capturing; a command that cannot start is an error text, not a throw', async () => {
  const r = await runWithSpawn({ command: 'head -c 3000000 /dev/zero | tr "\\0" "a"', cwd: dir, timeoutMs: 20_000, maxChars: 100_000 });
  assert.equal(r.exitCode, 0);
  assert.ok(r.truncated);
  assert.ok(r.output.length < 110_000);
  const bad = await runWithSpawn({ command: 'true', cwd: path.join(dir, 'missing'), timeoutMs: 5_000 });
  assert.equal(bad.exitCode, undefined);
  assert.match(bad.output, /could not start the command/);
});
