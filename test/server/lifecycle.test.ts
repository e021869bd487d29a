// The server process's life: the LSP shutdown/exit handshake, exiting when the
// client goes away, and crashes — a pending request fails as "engine
// unavailable" (the client's error mapping), and a supervisor applying the
// client's restart policy brings up a new process that answers, until too many
// crashes make it give up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc';
import { EngineUnavailableError, toEngineError } from '../../extension/serverClient/engineErrors';
import { decideRestart, type RestartPolicy } from '../../extension/serverClient/restartPolicy';
import { CountRequest } from '../../src/compaction/server/requests';
import { type ServerHandle, startServer } from './serverProcess';

describe('process lifecycle', () => {
  it('exits with code 0 after shutdown + exit', async () => {
    const server = startServer('source');
    await server.initialize();
    await server.connection.sendRequest('shutdown');
    await server.connection.sendNotification('exit');
    assert.equal(await server.exited, 0);
  });

  it('exits when the client closes its end without shutdown (no orphan process)', async () => {
    const server = startServer('source');
    await server.initialize();
    server.child.stdin?.end();
    const code = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('still running'), 5_000))]);
    assert.notEqual(code, 'still running');
    await server.stop();
  });
});

describe('crashes', () => {
  it('a request pending when the process dies fails as EngineUnavailableError', async () => {
    const server = startServer('source');
    await server.initialize();
    const pending = server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: ['x '.repeat(200_000)] });
    server.child.kill('SIGKILL');
    const err = await pending.then(
      () => assert.fail('the request succeeded although the process was killed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ResponseError);
    const mapped = toEngineError('compaction/count', err);
    assert.ok(mapped instanceof EngineUnavailableError);
    assert.equal(mapped.reason, 'connection_lost');
    assert.equal(await server.exited, 'SIGKILL');
  });

  it('restarts per the restart policy and answers after each crash, then gives up', async () => {
    const policy: RestartPolicy = { maxRestarts: 2, windowMs: 60_000, baseDelayMs: 10, maxDelayMs: 40 };
    let crashes: number[] = [];
    const delays: number[] = [];
    let server: ServerHandle = startServer('source');
    await server.initialize();
    let gaveUp = false;
    for (let round = 0; round < 3; round++) {
      const answer = await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: ['hello world'] });
      assert.deepEqual(answer.texts, [2], `round ${round}: the (re)started server answers`);
      server.child.kill('SIGKILL');
      await server.exited;
      const decision = decideRestart(crashes, Date.now(), policy);
      crashes = decision.crashes;
      if (!decision.restart) {
        gaveUp = true;
        break;
      }
      delays.push(decision.delayMs);
      await new Promise((r) => setTimeout(r, decision.delayMs));
      server = startServer('source');
      await server.initialize();
    }
    assert.deepEqual(delays, [10, 20], 'two restarts with doubling backoff');
    assert.equal(gaveUp, true, 'the third crash within the window stops the restarts');
    assert.equal(crashes.length, 3);
  });
});
