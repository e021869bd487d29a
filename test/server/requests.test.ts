// The compaction server over real JSON-RPC (one child process for the file):
// the initialize handshake, every request, and the typed errors for bad params
// and bad logs — after each of which the server keeps answering.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EngineErrorCodes, Methods, type UsageResult } from '../../src/compaction/protocol';
import { CompactionRecordSchema, type SessionLog } from '../../src/compaction/records';
import { CompactRequest, CountRequest, PlanRequest, UsageRequest } from '../../src/compaction/server/requests';
import { USED_CATEGORIES } from '../../src/compaction/usage';
import { rejection, type ServerHandle, startServer } from './serverProcess';
import { codingSession, counter } from './sessions';

let server: ServerHandle;

before(async () => {
  server = startServer('source');
  await server.initialize();
});
after(async () => server.stop());

describe('initialize', () => {
  it('names the server and announces the compaction protocol', async () => {
    const fresh = startServer('source');
    try {
      const result = await fresh.initialize();
      assert.equal(result.serverInfo?.name, 'context-compactor-engine');
      const caps = result.capabilities.experimental?.compaction;
      assert.equal(caps?.protocolVersion, 1);
      assert.deepEqual(caps?.methods, ['compaction/count', 'compaction/usage', 'compaction/plan', 'compaction/compact', 'compaction/import']);
      assert.deepEqual(caps?.encodings, ['o200k_base', 'cl100k_base']);
      // The ready line follows `initialized`; on a loaded machine it may take a while to arrive.
      const deadline = Date.now() + 10_000;
      while (!fresh.logs.some((l) => /compaction server .* ready/.test(l.message)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(fresh.logs.some((l) => /compaction server .* ready/.test(l.message)), 'logs a ready line through window/logMessage');
    } finally {
      await fresh.stop();
    }
  });
});

describe('compaction/count', () => {
  it('counts texts with tiktoken: "hello world" is 2 tokens in o200k_base', async () => {
    const r = await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: ['hello world', ''] });
    assert.deepEqual(r, { encoding: 'o200k_base', estimated: false, texts: [2, 0], messages: [] });
  });

  it('picks the encoding from the model id, or the explicit one', async () => {
    const text = 'The quick brown fox jumps over the lazy dog, then parses src/compaction/server/main.ts.';
    const gpt4 = await server.connection.sendRequest(CountRequest, { model: 'gpt-4', texts: [text] });
    const gpt4o = await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: [text] });
    const forced = await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', encoding: 'cl100k_base', texts: [text] });
    assert.equal(gpt4.encoding, 'cl100k_base');
    assert.equal(gpt4o.encoding, 'o200k_base');
    assert.deepEqual(forced, gpt4);
    const claude = await server.connection.sendRequest(CountRequest, { model: 'claude-sonnet-4', texts: ['x'] });
    assert.equal(claude.encoding, 'o200k_base', 'vendors without a public tokenizer approximate with o200k_base');
  });

  it('counts messages exactly as the engine stores them (framing and part overheads included)', async () => {
    const log = codingSession(1);
    const messages = log.records.flatMap((r) => (r.type === 'message' ? [r.parts] : []));
    const r = await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', messages });
    assert.deepEqual(r.messages, messages.map((parts) => counter.countParts(parts)));
    assert.equal(r.messages[0], counter.countText('Request 1: fix the bug in src/mod1.ts without touching package.json') + 4);
  });
});

describe('compaction/usage', () => {
  it('breaks the context down by category; the categories sum to the window', async () => {
    const log = codingSession();
    const r: UsageResult = await server.connection.sendRequest(UsageRequest, { log });
    const c = r.usage.categories;
    const used = USED_CATEGORIES.reduce((s, k) => s + c[k], 0);
    assert.equal(used, r.usage.used);
    assert.equal(used, r.contextTokens, 'no reported usage: used is the stored count');
    assert.equal(used + c.free, r.budget.effectiveWindow);
    assert.equal(used + c.free + c.reservedOutput, r.usage.window);
    assert.deepEqual([r.budget.window, r.budget.outputReserve, r.budget.effectiveWindow], [16_000, 4_000, 12_000]);
    assert.ok(c.system > 0 && c.user > 0 && c.assistant > 0 && c.toolCalls > 0);
    assert.ok(c.toolResults > used / 2, 'tool results dominate this session');
    assert.equal(c.summary, 0);
    assert.equal(r.usage.level, 'auto', `${r.usage.percentUsed.toFixed(1)}% is past the 85% auto level`);
    assert.equal(r.contextMessages, 49, 'system prompt + 48 messages');
  });

  it('takes the window from params over the header, and levels from params', async () => {
    const log = codingSession();
    const r = await server.connection.sendRequest(UsageRequest, {
      log,
      model: { maxInputTokens: 128_000, maxOutputTokens: 16_384 },
      levels: { warnPercent: 50, autoCompactPercent: 60, targetPercent: 30 },
    });
    assert.equal(r.budget.window, 128_000);
    assert.equal(r.budget.effectiveWindow, 128_000 - 16_384);
    assert.equal(r.budget.autoCompactTokens, Math.floor((111_616 * 60) / 100));
    assert.equal(r.usage.level, 'ok');
  });
});

describe('compaction/plan and compaction/compact', () => {
  it('plans what compact then does, without a record', async () => {
    const log = codingSession();
    const plan = await server.connection.sendRequest(PlanRequest, { log });
    assert.equal(plan.status, 'compacted');
    assert.equal(plan.wouldCompact, true);
    assert.equal(plan.targetTokens, 4_800, '40% of the 12,000 effective window');
    assert.ok(plan.tiers.length > 0);
    assert.ok(plan.after.tokens < plan.before.tokens);
    assert.equal('record' in plan, false);

    const done = await server.connection.sendRequest(CompactRequest, { log, source: 'manual' });
    assert.equal(done.status, 'compacted');
    assert.deepEqual(done.report.tiers, plan.tiers, 'deterministic: the plan is what compact does');
    assert.equal(done.report.after.tokens, plan.after.tokens);
  });

  it('returns a valid record that shrinks the context once appended', async () => {
    const log = codingSession();
    const result = await server.connection.sendRequest(CompactRequest, { log, source: 'auto', id: 'cmp-1' });
    assert.equal(result.status, 'compacted');
    if (result.status !== 'compacted') return;
    const record = CompactionRecordSchema.parse(result.record);
    assert.equal(record.id, 'cmp-1');
    assert.equal(record.source, 'auto');
    assert.ok(record.after.tokens < record.before.tokens);
    assert.equal(result.report.model, 'gpt-4o');
    assert.ok(result.report.tokensSaved > 0);
    assert.ok((result.report.before.utilisation ?? 0) > (result.report.after.utilisation ?? 1));

    const before = await server.connection.sendRequest(UsageRequest, { log });
    const appended: SessionLog = { ...log, records: [...log.records, record] };
    const afterUsage = await server.connection.sendRequest(UsageRequest, { log: appended });
    assert.ok(afterUsage.contextTokens < before.contextTokens, `${afterUsage.contextTokens} < ${before.contextTokens}`);
    assert.equal(afterUsage.contextTokens, record.after.tokens, "the record states the size of the context it defines");
  });

  it('keeps a pinned message out of the record over JSON-RPC, and counts it as the pinned category', async () => {
    const log = codingSession();
    const first = log.records.find((r) => r.type === 'message');
    assert.ok(first);
    const pinned: SessionLog = { ...log, records: [...log.records, { type: 'pin', id: 'p1', at: '2025-01-01T00:00:09.000Z', messageId: first.id, pinned: true }] };
    const result = await server.connection.sendRequest(CompactRequest, { log: pinned, source: 'manual', strategy: 'extractive', id: 'cmp-pin' });
    assert.equal(result.status, 'compacted');
    if (result.status !== 'compacted') return;
    assert.ok(!result.record.covered.includes(first.id), 'the pinned message is not covered');
    assert.ok(result.record.covered.length > 0, 'the rest was compacted');
    assert.equal(result.report.pins?.messages, 1);
    const usage = await server.connection.sendRequest(UsageRequest, { log: { ...pinned, records: [...pinned.records, result.record] } });
    assert.equal(usage.usage.categories.pinned, first.tokens);
  });

  it('compacts partially: only messages before `upto` are covered', async () => {
    const log = codingSession();
    const r = await server.connection.sendRequest(CompactRequest, { log, source: 'partial', strategy: 'extractive', partial: { upto: 'u5' } });
    assert.equal(r.status, 'compacted');
    if (r.status !== 'compacted') return;
    const ids = log.records.map((m) => m.id);
    const cut = ids.indexOf('u5');
    assert.ok(r.record.covered.length > 0);
    for (const id of r.record.covered) assert.ok(ids.indexOf(id) < cut, `${id} is before u5`);
    assert.ok(r.record.summary.length > 0);
  });

  it('reports a session with nothing to gain as a result with a reason, not an error', async () => {
    const log = codingSession(1, 20, { id: 'gpt-4o', maxInputTokens: 128_000 });
    const r = await server.connection.sendRequest(CompactRequest, { log, source: 'manual' });
    assert.notEqual(r.status, 'compacted');
    assert.ok(r.report.reason && r.report.reason.length > 0);
    assert.equal('record' in r, false);
  });
});

describe('errors', () => {
  it('rejects malformed params with InvalidParams naming the field, then answers the next request', async () => {
    const err = await rejection(server.connection.sendRequest(Methods.count, { model: 'gpt-4o', texts: ['ok', 3] }));
    assert.equal(err.code, EngineErrorCodes.InvalidParams);
    assert.match(err.message, /^compaction\/count: invalid params: texts\.1: /);
    assert.deepEqual((err.data as { issues: Array<{ path: string }> }).issues.map((i) => i.path), ['texts.1']);
    const ok = await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: ['hello world'] });
    assert.deepEqual(ok.texts, [2]);
  });

  it('names nested fields: a bad part type, a missing log, a level out of range', async () => {
    const log = codingSession(1);
    const broken = structuredClone(log) as unknown as { records: Array<{ parts: Array<{ type: string }> }> };
    broken.records[0]!.parts[0]!.type = 'video';
    const badPart = await rejection(server.connection.sendRequest(Methods.usage, { log: broken }));
    assert.match(badPart.message, /log\.records\.0\.parts\.0\.type/);

    const noLog = await rejection(server.connection.sendRequest(Methods.plan, { strategy: 'auto' }));
    assert.match(noLog.message, /log: /);

    const badLevel = await rejection(server.connection.sendRequest(Methods.usage, { log, levels: { warnPercent: 120 } }));
    assert.match(badLevel.message, /levels\.warnPercent: warnPercent must be between 1 and 100 \(got 120\)/);

    const badSource = await rejection(server.connection.sendRequest(Methods.compact, { log, source: 'sometimes' }));
    assert.match(badSource.message, /source: /);
  });

  it('needs a context window: InvalidParams on model.maxInputTokens when neither params nor header give it', async () => {
    const log = codingSession(1);
    delete log.header.model;
    const err = await rejection(server.connection.sendRequest(UsageRequest, { log }));
    assert.equal(err.code, EngineErrorCodes.InvalidParams);
    assert.match(err.message, /model\.maxInputTokens: the model context window is unknown/);
  });

  it('rejects a partial id that is not in the log, naming partial.upto', async () => {
    const err = await rejection(server.connection.sendRequest(CompactRequest, { log: codingSession(2), source: 'partial', partial: { upto: 'nope' } }));
    assert.equal(err.code, EngineErrorCodes.InvalidParams);
    assert.match(err.message, /partial\.upto: no message with id "nope"/);
  });

  it('refuses to compact a log that contradicts itself (EngineError invalid_log)', async () => {
    const log = codingSession(2);
    const first = log.records[0]!;
    log.records.push({ ...first });
    const err = await rejection(server.connection.sendRequest(CompactRequest, { log, source: 'manual' }));
    assert.equal(err.code, EngineErrorCodes.EngineError);
    assert.deepEqual(err.data, { kind: 'EngineError', method: 'compaction/compact', status: 'invalid_log' });
    assert.match(err.message, /message id "u1" appears twice/);
  });

  it('answers an unknown method with MethodNotFound and stays up', async () => {
    const err = await rejection(server.connection.sendRequest('compaction/explode', {}));
    assert.equal(err.code, -32601);
    const ok = await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: ['a'] });
    assert.equal(ok.texts.length, 1);
    assert.equal(server.child.exitCode, null, 'still running');
  });
});
