/**
 * Reliability: telemetry privacy (issue 16, defect 4). A session full of
 * personal strings — in its text, paths, tool calls, title and, above all,
 * its model ids (an imported transcript's model is free text) — compacted for
 * real and reported through the real PostHog client to a capture server. What
 * must hold: none of the personal strings appears in any byte sent.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { compact } from '../../src/compaction/planner';
import type { SessionLog } from '../../src/compaction/records';
import { CompactionTelemetry } from '../../extension/telemetry/compactionTelemetry';
import { PostHogSender, createPostHogClient } from '../../extension/telemetry/posthogSender';
import { TelemetryGate } from '../../extension/telemetry/telemetryGate';
import { assistant, call, estimate, fakeClock, result, session, user } from '../unit/compaction/fixtures';
import { memoryLog, StandInTelemetryLogger, startCaptureServer, type CaptureServer } from '../unit/telemetry/captureServer';

/** Model ids as they appear in transcripts and settings: each carries something personal. */
export const PERSONAL_MODEL_IDS = [
  'C:/Users/alice/Documents/merger-plan.txt',
  'alice.smith@acme-corp.com',
  'alice.smith@acme-corp.com/project-phoenix',
  'ft:gpt-4o-2024-08-06:acme-corp:project-phoenix:9xYz',
  'ft:gpt-4o-mini:acme-corp::abc123',
  'password:hunter2',
  'Error: ENOENT /home/alice/secret.txt',
  'azure/acme-corp-deployment-7',
  'gpt-4o@alice-laptop',
];
const PERSONAL_WORDS = ['alice', 'acme', 'phoenix', 'merger', 'hunter2', '9xYz', 'abc123', 'secret', 'laptop', 'deployment-7', 'Users', 'home/'];

function personalSession(model: string): SessionLog {
  const records = [];
  for (let turn = 0; turn < 5; turn++) {
    records.push(
      user(`u${turn}`, `alice.smith@acme-corp.com asks about merger-plan.txt, password:hunter2 (turn ${turn})`),
      call(`a${turn}`, `call${turn}`, 'read_file', { path: 'C:/Users/alice/Documents/merger-plan.txt' }),
      result(`r${turn}`, `call${turn}`, 'read_file', `project-phoenix ${'acme-corp confidential line\n'.repeat(80)}`),
      assistant(`b${turn}`, `Summary for alice of project-phoenix (turn ${turn})`),
    );
  }
  const log = session(records, 'You work for acme-corp on project-phoenix.');
  log.header.model = { id: model, maxInputTokens: 128_000 };
  log.header.title = 'alice project-phoenix';
  return log;
}

let capture: CaptureServer | undefined;
after(async () => capture?.close());

test(`${PERSONAL_MODEL_IDS.length} sessions full of personal strings: nothing of them in any captured event`, { timeout: 60_000 }, async () => {
  capture = await startCaptureServer();
  const log = memoryLog();
  const sender = new PostHogSender({
    endpoint: () => ({ key: 'phc_test_key', host: capture!.host }),
    distinctId: () => '3b7c1f9e-2a4d-4e8b-9c6f-0d1e2f3a4b5c',
    log,
    createClient: createPostHogClient,
  });
  const logger = new StandInTelemetryLogger(sender, 'all');
  const gate = new TelemetryGate({ vscode: () => logger, settingEnabled: () => true, hasKey: () => true });
  const telemetry = new CompactionTelemetry(logger, gate, log);
  let sent = 0;
  for (const model of PERSONAL_MODEL_IDS) {
    const session = personalSession(model);
    const res = compact(session, { source: 'manual', strategy: 'extractive', targetTokens: 800, counter: estimate, clock: fakeClock(), keepTailTurns: 1 });
    assert.equal(res.status, 'compacted', res.report.reason ?? '');
    if (res.status !== 'compacted') continue;
    // The engine copies the session's model into what telemetry reads: the test can fail.
    telemetry.compactionResult({ ...res, record: { ...res.record, model }, report: { ...res.report, model } });
    telemetry.compactionFailed({ source: 'auto', status: 'inflated', model, report: { ...res.report, model } });
    telemetry.compactionError('idle', new Error(`ENOENT ${model}`), model);
    telemetry.breakerAfterFailure(`s-${model}`, { open: true, consecutiveFailures: 3, lastFailure: { at: 1, reason: model } }, new Error(model), model);
    sent += 4;
  }
  await sender.shutdown();
  assert.equal(capture.events().length, sent, 'every event arrived (so the check below saw them)');
  const wire = capture.bodies.join('\n');
  for (const word of [...PERSONAL_WORDS, ...PERSONAL_MODEL_IDS]) assert.ok(!wire.includes(word), `"${word}" must not be sent`);
  const models = new Set(capture.events().map((e) => String(e.properties.model)));
  assert.deepEqual([...models].sort(), ['gpt-4o', 'gpt-4o-mini', 'other'], 'only family names or other');
  process.stdout.write(`# telemetry privacy: ${PERSONAL_MODEL_IDS.length} personal model ids, ${sent} events captured, 0 leaks\n`);
});
