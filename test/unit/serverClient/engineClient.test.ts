/**
 * EngineClient's orchestration in seconds, over a fake language client
 * (test/unit/fakes/languageClient.ts): lazy start, requests, a crash and the
 * restart after the backoff, giving up after repeated crashes, a failed
 * start, settings pushed to a running server, disposal. What must hold: a
 * request never hangs — it is answered, or rejected with a reason a person
 * can act on.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DEFAULT_SETTINGS, type Settings } from '../../../extension/config/settings';
import type { ConfigurationChange } from '../../../extension/config/configuration';
import { createEngineClient, type EngineClient } from '../../../extension/serverClient/engineClient';
import { EngineUnavailableError } from '../../../extension/serverClient/engineErrors';
import { behaviour, createdClients, type FakeLanguageClient } from '../fakes/languageClient';
import { EventEmitter, type Disposable } from '../fakes/vscode';

const POLICY = { maxRestarts: 2, windowMs: 60_000, baseDelayMs: 10, maxDelayMs: 20 };
const COUNT = { model: 'gpt-4o', texts: ['hello'], messages: [] };

function harness(settings: Settings = DEFAULT_SETTINGS) {
  const changes = new EventEmitter<ConfigurationChange>();
  const config = { settings, onDidChange: changes.event };
  const clientDisposables: Disposable[] = [];
  const extension = { asAbsolutePath: (p: string) => `/ext/${p}` };
  const engine = createEngineClient({ extension, config, clientDisposables } as never, { policy: POLICY });
  const states: string[] = [];
  engine.onDidChangeState((s) => states.push(s.state));
  return { engine, changes, config, states };
}

const latest = (): FakeLanguageClient => createdClients.at(-1)!;
const waitFor = async (cond: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const engines: EngineClient[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
  createdClients.splice(0);
  behaviour.failStart = undefined;
  behaviour.onRequest = (method) => ({ method });
});

describe('EngineClient', () => {
  it('starts nothing until the first request, then runs it on a started client', async () => {
    const { engine, states } = harness();
    engines.push(engine);
    assert.equal(createdClients.length, 0, 'lazy: no server before a request');
    behaviour.onRequest = (method) => ({ encoding: 'o200k_base', estimated: false, texts: [1], messages: [], method });
    const result = (await engine.count(COUNT)) as unknown as { method: string };
    assert.equal(result.method, 'compaction/count');
    assert.equal(createdClients.length, 1);
    assert.ok(latest().started);
    assert.deepEqual(states, ['starting', 'running']);
    assert.deepEqual(latest().clientOptions.initializationOptions(), { transcript: { largeToolResultPercent: 10 } }, 'the settings owner gives the server its options');
  });

  it('after a crash it says it is restarting, then restarts after the backoff and answers again', async () => {
    const { engine, states } = harness();
    engines.push(engine);
    await engine.count(COUNT);
    latest().crash();
    assert.equal(engine.status.state, 'unavailable');
    await assert.rejects(engine.count(COUNT), (err: unknown) => err instanceof EngineUnavailableError && err.reason === 'restarting');
    await waitFor(() => engine.status.state === 'running');
    assert.equal(createdClients.length, 2, 'a new client after the backoff');
    await engine.count(COUNT);
    assert.deepEqual(states, ['starting', 'running', 'unavailable', 'starting', 'running']);
  });

  it('gives up after repeated crashes and says so, instead of restarting forever', async () => {
    const { engine } = harness();
    engines.push(engine);
    await engine.count(COUNT);
    for (let i = 0; i < POLICY.maxRestarts; i++) {
      latest().crash();
      await waitFor(() => engine.status.state === 'running');
    }
    latest().crash();
    assert.equal(engine.status.state, 'unavailable');
    assert.match(engine.status.reason ?? '', /repeated crashes/);
    await assert.rejects(engine.count(COUNT), (err: unknown) => err instanceof EngineUnavailableError && err.reason === 'stopped');
    assert.equal(createdClients.length, POLICY.maxRestarts + 1, 'no further restart');
  });

  it('a server that fails to start rejects the request with the reason', async () => {
    const { engine } = harness();
    engines.push(engine);
    behaviour.failStart = new Error('spawn node ENOENT');
    await assert.rejects(engine.count(COUNT), (err: unknown) => err instanceof EngineUnavailableError && err.reason === 'start_failed' && /ENOENT/.test(err.message));
    assert.equal(engine.status.state, 'unavailable');
  });

  it('sends changed transcript options to a running server, and nothing for other changes', async () => {
    const { engine, changes, config } = harness();
    engines.push(engine);
    await engine.count(COUNT);
    config.settings = { ...DEFAULT_SETTINGS, transcript: { largeToolResultPercent: 25 } };
    changes.fire({ settings: config.settings, restartServer: false, telemetry: false, transcript: true });
    changes.fire({ settings: config.settings, restartServer: false, telemetry: true, transcript: false });
    await waitFor(() => latest().notifications.length > 0);
    assert.deepEqual(latest().notifications, [{ method: 'workspace/didChangeConfiguration', params: { settings: { transcript: { largeToolResultPercent: 25 } } } }]);
  });

  it('after dispose a request is rejected as disposed and the client is stopped', async () => {
    const { engine } = harness();
    await engine.count(COUNT);
    engine.dispose();
    await assert.rejects(engine.count(COUNT), (err: unknown) => err instanceof EngineUnavailableError && err.reason === 'disposed');
    await waitFor(() => latest().disposed);
  });
});
