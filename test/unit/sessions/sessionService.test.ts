/**
 * The extension host's middle layer in seconds: SessionService and its
 * SessionCompactions over a real SessionStore (a temp folder), the real engine
 * in process (test/unit/fakes/engine.ts) and the fake `vscode` module. What
 * must hold: appends are on disk before the change event; one session's
 * compactions and reverts never interleave; each compaction is reported once;
 * a failed compaction leaves the session unchanged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, type Settings } from '../../../extension/config/settings';
import type { Configuration } from '../../../extension/config/configuration';
import { SessionService, type SessionChange } from '../../../extension/sessions/sessionService';
import type { CompactionFinished } from '../../../extension/sessions/sessionCompactions';
import { SessionStore } from '../../../extension/sessions/sessionStore';
import { contextOf } from '../../../src/compaction/context';
import { EventEmitter, FakeLogChannel } from '../fakes/vscode';
import { fakeEngine, type FakeEngine } from '../fakes/engine';
import { withTempDir } from './helpers';

function fakeConfig(settings: Settings = DEFAULT_SETTINGS): Configuration {
  const emitter = new EventEmitter<unknown>();
  return { settings, onDidChange: emitter.event } as unknown as Configuration;
}

interface Harness {
  service: SessionService;
  engine: FakeEngine;
  changes: SessionChange[];
  finished: CompactionFinished[];
  dir: string;
}

async function withService(fn: (h: Harness) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const engine = fakeEngine();
    const output = new FakeLogChannel('test');
    const service = new SessionService(new SessionStore(dir), engine.client, fakeConfig(), output as never);
    const changes: SessionChange[] = [];
    const finished: CompactionFinished[] = [];
    service.onDidChange((c) => changes.push(c));
    service.compactions.onDidFinishCompaction((f) => finished.push(f));
    try {
      await fn({ service, engine, changes, finished, dir });
    } finally {
      service.dispose();
    }
  });
}

const MODEL = { id: 'test-model', maxInputTokens: 4_000, maxOutputTokens: 1_000 };

/** A session of `turns` user/assistant turns with a large tool result each (~600 tokens a turn by estimate). */
async function grownSession(service: SessionService, turns = 8): Promise<string> {
  const log = await service.create(MODEL, 'test');
  const id = log.header.id;
  for (let t = 0; t < turns; t++) {
    await service.appendMessages(id, [
      { role: 'user', turn: t, parts: [{ type: 'text', text: `request ${t}: please look at file${t}.ts` }] },
      { role: 'assistant', turn: t, parts: [{ type: 'tool_call', id: `c${t}`, name: 'compactor_readFile', args: { path: `file${t}.ts` } }] },
      { role: 'tool', turn: t, parts: [{ type: 'tool_result', callId: `c${t}`, name: 'compactor_readFile', text: `content of file${t} `.repeat(120) }] },
      { role: 'assistant', turn: t, parts: [{ type: 'text', text: `file${t}.ts looks fine` }] },
    ]);
  }
  return id;
}

const tokensOf = (service: SessionService, id: string) => service.usage(service.peek(id)!).used;

describe('SessionService', () => {
  it('counts appended messages, keeps them on disk, and fires one change per append', async () => {
    await withService(async ({ service, engine, changes, dir }) => {
      const id = await grownSession(service, 2);
      assert.ok(engine.calls.includes('count'), 'messages are counted by the engine');
      assert.equal(changes.filter((c) => c.kind === 'message' && c.sessionId === id).length, 2);
      const reopened = await new SessionStore(dir).open(id);
      assert.equal(reopened.log.records.filter((r) => r.type === 'message').length, 8, 'every message is on disk');
      assert.ok(tokensOf(service, id) > 1_000);
    });
  });

  it('compacts without a model through the engine, appends one record and reports it once', async () => {
    await withService(async ({ service, finished }) => {
      const id = await grownSession(service);
      const before = tokensOf(service, id);
      const result = await service.compactions.compactWithModel(id, { source: 'manual' }, undefined);
      assert.equal(result.status, 'compacted');
      assert.ok(tokensOf(service, id) < before, 'the context shrank');
      assert.equal(service.peek(id)!.records.filter((r) => r.type === 'compaction').length, 1);
      assert.equal(finished.length, 1, 'reported exactly once');
      assert.equal(finished[0]!.result?.status, 'compacted');
    });
  });

  it("one session's compactions run one after another, never overlapping", async () => {
    await withService(async ({ service, engine }) => {
      const id = await grownSession(service, 12);
      let release!: () => void;
      engine.gate = new Promise((r) => (release = r));
      const first = service.compactions.compactWithModel(id, { source: 'manual' }, undefined);
      const second = service.compactions.compactWithModel(id, { source: 'auto' }, undefined);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(engine.calls.filter((c) => c.startsWith('compact')), ['compact:start'], 'the second waits for the first');
      engine.gate = undefined;
      release();
      await Promise.all([first, second]);
      assert.deepEqual(engine.calls.filter((c) => c.startsWith('compact')).slice(0, 2), ['compact:start', 'compact:end']);
    });
  });

  it('a revert asked for during a running compaction waits for it, so the compaction cannot undo the revert', async () => {
    await withService(async ({ service, engine }) => {
      const id = await grownSession(service, 12);
      assert.equal((await service.compactions.compactWithModel(id, { source: 'manual' }, undefined)).status, 'compacted');
      await service.appendMessages(id, [{ role: 'user', turn: 12, parts: [{ type: 'text', text: 'more '.repeat(400) }] }]);
      let release!: () => void;
      engine.gate = new Promise((r) => (release = r));
      const running = service.compactions.compactWithModel(id, { source: 'auto' }, undefined);
      await new Promise((r) => setTimeout(r, 20));
      const revert = service.compactions.revertLast(id);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(service.peek(id)!.records.filter((r) => r.type === 'revert').length, 0, 'the revert waits for the compaction');
      engine.gate = undefined;
      release();
      const compacted = await running;
      const reverted = await revert;
      assert.equal(compacted.status, 'compacted');
      assert.ok(compacted.status === 'compacted' && reverted?.id === compacted.record.id, 'the newest compaction is the one reverted');
      const log = service.peek(id)!;
      assert.equal(log.records.at(-1)!.type, 'revert', 'the revert is the last record: nothing appended on top of it');
      const context = contextOf(log);
      assert.ok(context.some((m) => m.kind === 'summary'), "the earlier compaction's summary is in force again");
    });
  });

  it('a compaction that fails leaves the session unchanged and is reported once, with its error', async () => {
    await withService(async ({ service, engine, finished }) => {
      const id = await grownSession(service);
      const records = service.peek(id)!.records.length;
      engine.failNext = new Error('engine exploded');
      await assert.rejects(service.compactions.compactWithModel(id, { source: 'manual' }, undefined), /engine exploded/);
      assert.equal(service.peek(id)!.records.length, records);
      assert.equal(finished.length, 1);
      assert.match(String(finished[0]!.error), /engine exploded/);
    });
  });

  it('revertLast with no compaction returns undefined and appends nothing', async () => {
    await withService(async ({ service }) => {
      const id = await grownSession(service, 2);
      const records = service.peek(id)!.records.length;
      assert.equal(await service.compactions.revertLast(id), undefined);
      assert.equal(service.peek(id)!.records.length, records);
    });
  });
});
