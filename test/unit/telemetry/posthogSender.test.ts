/**
 * The telemetry path end to end in plain Node: CompactionTelemetry → (a
 * stand-in for VS Code's TelemetryLogger) → PostHogSender → real posthog-node
 * → a capture server on 127.0.0.1. Assertions are on what arrived over HTTP.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { compact } from '../../../src/compaction/planner';
import type { CompactionRecord, SessionLog } from '../../../src/compaction/records';
import type { CompactionReport, CompactResult } from '../../../src/compaction/types';
import { EngineUnavailableError } from '../../../extension/serverClient/engineErrors';
import { CompactionTelemetry } from '../../../extension/telemetry/compactionTelemetry';
import { PostHogSender, type PostHogClientFactory, createPostHogClient } from '../../../extension/telemetry/posthogSender';
import { TelemetryGate, type VsCodeTelemetryLevel } from '../../../extension/telemetry/telemetryGate';
import { call, compactionRecord, estimate, fakeClock, result, session, user, assistant } from '../compaction/fixtures';
import { COMMON_PROPERTIES, memoryLog, refusedHost, StandInTelemetryLogger, startCaptureServer, type CaptureServer } from './captureServer';

const DISTINCT_ID = '3b7c1f9e-2a4d-4e8b-9c6f-0d1e2f3a4b5c';

interface WireOptions {
  host: string;
  level?: VsCodeTelemetryLevel;
  settingEnabled?: boolean;
  key?: string;
  clientOptions?: ConstructorParameters<typeof PostHogSender>[0]['clientOptions'];
  createClient?: PostHogClientFactory;
}

/** The same wiring as extension/telemetry/telemetry.ts, with the stand-in logger instead of VS Code's. */
function wire(options: WireOptions) {
  const state = { settingEnabled: options.settingEnabled ?? true, key: options.key ?? 'phc_test_key' };
  const log = memoryLog();
  let clientsCreated = 0;
  const sender = new PostHogSender({
    endpoint: () => (state.settingEnabled && state.key ? { key: state.key, host: options.host } : undefined),
    distinctId: () => DISTINCT_ID,
    log,
    createClient: (key, opts) => {
      clientsCreated++;
      return (options.createClient ?? createPostHogClient)(key, opts);
    },
    ...(options.clientOptions ? { clientOptions: options.clientOptions } : {}),
  });
  const logger = new StandInTelemetryLogger(sender, options.level ?? 'all');
  const gate = new TelemetryGate({ vscode: () => logger, settingEnabled: () => state.settingEnabled, hasKey: () => state.key !== '' });
  const telemetry = new CompactionTelemetry(logger, gate, log);
  return { telemetry, sender, logger, log, state, clientsCreated: () => clientsCreated };
}

const servers: CaptureServer[] = [];
async function server(mode: 'ok' | 'hang' = 'ok'): Promise<CaptureServer> {
  const s = await startCaptureServer({ mode });
  servers.push(s);
  return s;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function completedRecord(id: string, fields: Partial<CompactionRecord> = {}): CompactionRecord {
  return compactionRecord(id, {
    source: 'auto',
    strategy: 'extractive',
    model: 'gpt-4o',
    tiers: [
      { tier: 'mask', count: 3 },
      { tier: 'summarize', count: 1 },
      { tier: 'truncate', count: 0 },
    ],
    before: { tokens: 90_000, messages: 37 },
    after: { tokens: 3_000, messages: 5 },
    durationMs: 1_234,
    ...fields,
  });
}

function reportOf(record: CompactionRecord, fields: Partial<CompactionReport> = {}): CompactionReport {
  return {
    status: 'compacted',
    source: record.source,
    strategy: record.strategy,
    tiers: record.tiers,
    before: record.before,
    after: record.after,
    tokensSaved: record.before.tokens - record.after.tokens,
    durationMs: record.durationMs,
    ...(record.model ? { model: record.model } : {}),
    withinTarget: true,
    ...fields,
  };
}

test('one compaction_completed per compaction, numbers rounded to powers of two, no common.* properties', async () => {
  const capture = await server();
  const { telemetry, sender } = wire({ host: capture.host });
  const record = { ...completedRecord('c-1'), fidelity: 0.87 };
  const report = reportOf(record);
  const res: CompactResult = { status: 'compacted', record, context: [], report };
  telemetry.compactionResult(res);
  telemetry.compactionResult(res); // the same compaction again: guarded
  telemetry.compactionCompleted(record, report);
  await sender.shutdown();
  const events = capture.events();
  assert.equal(events.length, 1);
  const [event] = events;
  assert.equal(event?.event, 'compaction_completed');
  assert.equal(event?.distinct_id, DISTINCT_ID);
  assert.deepEqual(
    Object.fromEntries(Object.entries(event!.properties).filter(([k]) => !k.startsWith('$'))),
    {
      model: 'gpt-4o',
      source: 'auto',
      strategy: 'extractive',
      tiers: 'mask+summarize',
      duration_b2: 1024,
      input_tokens_b2: 65_536,
      output_tokens_b2: 4_096,
      messages_before_b2: 32,
      messages_after_b2: 4,
      retries: 0,
      fallback_used: false,
      within_target: true,
      fidelity: 0.9, // the summary's fidelity, rounded to tenths
      summary_edited: false,
      prepared: false,
    },
  );
  assert.equal(event?.properties.$process_person_profile, false);
  assert.equal(event?.properties.$geoip_disable, true);
  for (const body of capture.bodies) {
    assert.doesNotMatch(body, /common\./);
    assert.ok(!body.includes(COMMON_PROPERTIES['common.vscodemachineid']), 'the machine id is not sent');
  }
});

test('retries and fallback are read from the LLM report when present', async () => {
  const capture = await server();
  const { telemetry, sender } = wire({ host: capture.host });
  const record = completedRecord('c-llm', { strategy: 'extractive' });
  const report = { ...reportOf(record), fallback: true, summarizer: { promptTooLongRetries: 2, transientRetries: 1 } } as CompactionReport;
  telemetry.compactionCompleted(record, report);
  await sender.shutdown();
  const [event] = capture.events();
  assert.equal(event?.properties.retries, 3);
  assert.equal(event?.properties.fallback_used, true);
});

test('failures: one compaction_failed per result or error, with the status or error kind as reason', async () => {
  const capture = await server();
  const { telemetry, sender } = wire({ host: capture.host });
  const report: CompactionReport = { ...reportOf(completedRecord('x')), status: 'inflated', source: 'manual', reason: 'the summary was longer than /home/alice/secret-project/notes.md' };
  const failed: CompactResult = { status: 'inflated', report };
  telemetry.compactionResult(failed);
  telemetry.compactionResult(failed); // guarded
  const error = new EngineUnavailableError('stopped', 'The compaction engine stopped after 3 crashes');
  telemetry.compactionError('auto', error, 'claude-sonnet-4.5');
  telemetry.compactionError('auto', error); // guarded
  await sender.shutdown();
  const events = capture.events().map((e) => ({ event: e.event, reason: e.properties.reason, source: e.properties.source, model: e.properties.model }));
  assert.deepEqual(events, [
    { event: 'compaction_failed', reason: 'inflated', source: 'manual', model: 'gpt-4o' },
    { event: 'compaction_failed', reason: 'engine_unavailable', source: 'auto', model: 'claude-sonnet-4.5' },
  ]);
});

test('circuit_breaker_opened once per opening; compaction_reverted with the age rounded', async () => {
  const capture = await server();
  const { telemetry, sender } = wire({ host: capture.host });
  telemetry.breakerAfterFailure('s1', { open: false, consecutiveFailures: 2, lastFailure: { at: 1, reason: 'x' } }, 'inflated');
  const open = { open: true, consecutiveFailures: 3, lastFailure: { at: 2, reason: 'the summary mentions /home/alice' } };
  telemetry.breakerAfterFailure('s1', open, 'empty_summary', 'gpt-4o');
  telemetry.breakerAfterFailure('s1', open, 'empty_summary', 'gpt-4o');
  const compaction = completedRecord('c-r', { at: '2025-01-01T00:00:00.000Z', source: 'manual' });
  telemetry.compactionReverted('rv-1', compaction, Date.parse('2025-01-01T00:00:05.000Z'));
  telemetry.compactionReverted('rv-1', compaction, Date.parse('2025-01-01T00:00:05.000Z'));
  await sender.shutdown();
  assert.deepEqual(
    capture.events().map((e) => [e.event, e.properties.consecutive_failures ?? e.properties.age_seconds_b2, e.properties.last_reason ?? e.properties.source]),
    [
      ['circuit_breaker_opened', 3, 'empty_summary'],
      ['compaction_reverted', 4, 'manual'],
    ],
  );
});

test('level off or crash: nothing sent; level error: failures only; the setting off: nothing, and no client', async () => {
  for (const [level, settingEnabled, expected] of [
    ['off', true, []],
    ['crash', true, []],
    ['error', true, ['compaction_failed']],
    ['all', false, []],
  ] as const) {
    const capture = await server();
    const { telemetry, sender, clientsCreated } = wire({ host: capture.host, level, settingEnabled });
    const record = completedRecord(`c-${level}`);
    telemetry.compactionCompleted(record, reportOf(record));
    telemetry.compactionFailed({ source: 'auto', status: 'empty_summary', model: 'gpt-4o' });
    await sender.shutdown();
    assert.deepEqual(capture.events().map((e) => e.event), expected, `level ${level}, setting ${settingEnabled}`);
    if (expected.length === 0) {
      assert.equal(clientsCreated(), 0, `no PostHog client at level ${level}, setting ${settingEnabled}`);
      assert.equal(capture.requests, 0);
    }
  }
});

test('no key: nothing is sent or queued and no PostHog client is created', async () => {
  const capture = await server();
  const { telemetry, sender, clientsCreated } = wire({ host: capture.host, key: '' });
  const record = completedRecord('c-nokey');
  telemetry.compactionCompleted(record, reportOf(record));
  sender.sendEventData('x/compaction_failed', { source: 'auto', reason: 'unknown', model: 'unknown' });
  assert.equal(sender.hasClient, false);
  await sender.shutdown();
  assert.equal(clientsCreated(), 0);
  assert.equal(capture.requests, 0);
});

test('a level change mid-session takes effect at the next event', async () => {
  const capture = await server();
  const { telemetry, sender, logger, state } = wire({ host: capture.host, level: 'all' });
  const send = (id: string) => {
    const record = completedRecord(id);
    telemetry.compactionCompleted(record, reportOf(record));
    telemetry.compactionFailed({ source: 'auto', status: 'inflated', key: `f-${id}` });
  };
  send('a'); // all: both
  logger.level = 'off';
  send('b'); // nothing
  logger.level = 'error';
  send('c'); // failure only
  logger.level = 'all';
  state.settingEnabled = false;
  send('d'); // the extension's setting turns it off
  state.settingEnabled = true;
  send('e'); // both again
  await sender.shutdown();
  assert.deepEqual(
    capture.events().map((e) => e.event),
    ['compaction_completed', 'compaction_failed', 'compaction_failed', 'compaction_completed', 'compaction_failed'],
  );
});

/** A real engine compaction of a session full of strings that must never leave the machine. */
function secretSession(): { log: SessionLog; secrets: string[] } {
  const secrets = [
    'ZEBRA-PROMPT-7741',
    'OCELOT-ANSWER-1187',
    '/home/alice/projects/quokka-workspace/src/payroll_secrets.ts',
    'payroll_secrets.ts',
    'quokka-workspace',
    'TOOL-OUTPUT-NARWHAL-5521',
    'INSTRUCTION-WOMBAT-9003',
  ];
  const records = [];
  for (let turn = 0; turn < 6; turn++) {
    records.push(
      user(`u${turn}`, `Please fix ZEBRA-PROMPT-7741 in /home/alice/projects/quokka-workspace/src/payroll_secrets.ts (turn ${turn})`),
      call(`a${turn}`, `call${turn}`, 'read_file', { path: '/home/alice/projects/quokka-workspace/src/payroll_secrets.ts' }),
      result(`r${turn}`, `call${turn}`, 'read_file', `TOOL-OUTPUT-NARWHAL-5521 ${'const salary = 1;\n'.repeat(120)}`),
      assistant(`b${turn}`, `OCELOT-ANSWER-1187: edited payroll_secrets.ts in quokka-workspace (turn ${turn})`),
    );
  }
  const log = session(records, 'You are a coding agent in quokka-workspace.');
  log.header.model = { id: 'gpt-4o', maxInputTokens: 128_000 };
  log.header.title = 'ZEBRA-PROMPT-7741 session';
  return { log, secrets };
}

test('no property anywhere carries text from the session (real engine compaction, failures and errors included)', async () => {
  const capture = await server();
  const { telemetry, sender } = wire({ host: capture.host });
  const { log, secrets } = secretSession();
  const res = compact(log, {
    source: 'manual',
    strategy: 'extractive',
    targetTokens: 800,
    counter: estimate,
    clock: fakeClock(),
    keepTailTurns: 1,
    instructions: 'INSTRUCTION-WOMBAT-9003 keep payroll_secrets.ts',
    attachments: [{ path: '/home/alice/projects/quokka-workspace/src/payroll_secrets.ts', text: 'ZEBRA-PROMPT-7741', tokens: 5 }],
  });
  assert.equal(res.status, 'compacted', `the engine compacted (${res.report.reason ?? ''})`);
  if (res.status !== 'compacted') return;
  // The record really holds the secrets, so the test can fail.
  const local = JSON.stringify({ log, record: res.record });
  assert.deepEqual(secrets.filter((s) => !local.includes(s)), [], 'every secret is in the session or its compaction record');
  assert.ok(res.record.summary.includes('ZEBRA-PROMPT-7741') && res.record.summary.includes('payroll_secrets.ts'), 'the summary quotes the session');
  telemetry.compactionResult(res);
  telemetry.compactionFailed({ source: 'auto', status: 'inflated', report: { ...res.report, status: 'inflated', reason: `inflated: ${secrets.join(' ')}` } });
  telemetry.compactionError('manual', new Error(`ENOENT: ${secrets[2]!}`), 'gpt-4o');
  telemetry.breakerAfterFailure('s-secret', { open: true, consecutiveFailures: 3, lastFailure: { at: 5, reason: secrets.join(' ') } }, secrets[0]);
  telemetry.compactionReverted('rv-secret', res.record, Date.now());
  await sender.shutdown();
  assert.equal(capture.events().length, 5);
  const wire_ = capture.bodies.join('\n');
  for (const secret of secrets) assert.ok(!wire_.includes(secret), `"${secret}" must not be sent`);
  assert.ok(!wire_.includes('/home/'), 'no path is sent');
  assert.ok(!wire_.includes(log.header.id), 'no session id is sent');
  assert.ok(!wire_.includes(res.record.id), 'no compaction id is sent');
});

test('an endpoint that refuses connections: the call returns at once, nothing throws, the failure is logged', async () => {
  const host = await refusedHost();
  const { telemetry, sender, log } = wire({ host });
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const record = completedRecord('c-down');
    const started = performance.now();
    const returned: unknown = telemetry.compactionCompleted(record, reportOf(record));
    const elapsedMs = performance.now() - started;
    assert.equal(returned, undefined, 'nothing to await');
    assert.ok(elapsedMs < 50, `compactionCompleted took ${elapsedMs.toFixed(1)} ms`);
    const shutdownStarted = performance.now();
    await sender.shutdown();
    assert.ok(performance.now() - shutdownStarted < 2_500, 'shutdown within its 2 s budget');
    assert.ok(log.lines.some((l) => /sending to PostHog failed/.test(l)), `the failure is logged: ${log.lines.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('an endpoint that never answers: the call returns before the request is answered; shutdown gives up within 2 s', async () => {
  const capture = await server('hang');
  const { telemetry, sender } = wire({ host: capture.host });
  const record = completedRecord('c-slow');
  const started = performance.now();
  telemetry.compactionCompleted(record, reportOf(record));
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs < 50, `compactionCompleted took ${elapsedMs.toFixed(1)} ms`);
  // The request does reach the server (so the call above did not wait for it) and stays unanswered.
  const deadline = Date.now() + 3_000;
  while (capture.requests === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(capture.requests, 1, 'the batch was sent in the background');
  const shutdownStarted = performance.now();
  await sender.shutdown(2_000);
  const shutdownMs = performance.now() - shutdownStarted;
  assert.ok(shutdownMs < 2_400, `shutdown took ${shutdownMs.toFixed(0)} ms`);
});

test('pending events are flushed on shutdown, within 2 s', async () => {
  const capture = await server();
  // Batching as large as it gets: only shutdown sends the event.
  const { telemetry, sender } = wire({ host: capture.host, clientOptions: { flushAt: 50, flushInterval: 600_000 } });
  const record = completedRecord('c-pending');
  telemetry.compactionCompleted(record, reportOf(record));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(capture.events().length, 0, 'still queued');
  const started = performance.now();
  await sender.shutdown(2_000);
  assert.ok(performance.now() - started < 2_000);
  assert.deepEqual(capture.events().map((e) => e.event), ['compaction_completed']);
});

test('invalid events are dropped and logged, never thrown', async () => {
  const capture = await server();
  const { telemetry, sender, log } = wire({ host: capture.host });
  // Through the telemetry: a record with an impossible duration.
  const bad = completedRecord('c-bad', { durationMs: Number.NaN });
  assert.doesNotThrow(() => telemetry.compactionCompleted(bad, reportOf(bad)));
  // Straight to the sender: unknown event, extra property (text), wrong type, wrong enum.
  sender.sendEventData('ext/compaction_started', { model: 'gpt-4o' });
  sender.sendEventData('ext/compaction_failed', { source: 'auto', reason: 'inflated', model: 'gpt-4o', summary: 'ZEBRA' });
  sender.sendEventData('ext/compaction_failed', { source: 'auto', reason: 'inflated', model: 42 });
  sender.sendEventData('ext/compaction_failed', { source: 'auto', reason: 'the file /home/x was missing', model: 'gpt-4o' });
  sender.sendEventData('ext/compaction_failed', { source: 'auto', reason: 'inflated', model: 'a model id with spaces' });
  sender.sendErrorData(new Error('stack with /home/alice/file.ts'));
  await sender.shutdown();
  assert.equal(capture.requests, 0, 'nothing was sent');
  const dropped = log.lines.filter((l) => l.includes('dropped an event'));
  assert.equal(dropped.length, 6, log.lines.join('\n'));
  assert.ok(dropped.every((l) => !l.includes('ZEBRA') && !l.includes('/home/')), 'the log names fields, not values');
});

test('a key or host change replaces the client; events after shutdown are not sent', async () => {
  const first = await server();
  const second = await server();
  let host = first.host;
  const log = memoryLog();
  const sender = new PostHogSender({ endpoint: () => ({ key: 'phc_k', host }), distinctId: () => DISTINCT_ID, log });
  const event = { source: 'auto', reason: 'inflated', model: 'gpt-4o' };
  sender.sendEventData('compaction_failed', event);
  await first.waitForEvents(1);
  host = second.host;
  sender.sendEventData('compaction_failed', event);
  await second.waitForEvents(1);
  await sender.shutdown();
  sender.sendEventData('compaction_failed', event);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(first.events().length, 1);
  assert.equal(second.events().length, 1);
  assert.equal(sender.hasClient, false);
});
