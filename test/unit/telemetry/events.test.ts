/** The event definitions: rounding, the helpers that keep text out, validation, the gate and the settings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reasonOfError, reasonOfStatus } from '../../../extension/telemetry/compactionTelemetry';
import { EngineRequestError, EngineUnavailableError } from '../../../extension/serverClient/engineErrors';
import { roundPow2, telemetryModel, telemetryStrategy, telemetryTiers, validateEvent } from '../../../extension/telemetry/events';
import { bareEventName, DEFAULT_POSTHOG_HOST, withoutCommonProperties } from '../../../extension/telemetry/posthogSender';
import { enableStatesOf, TelemetryGate } from '../../../extension/telemetry/telemetryGate';
import { effectiveEndpoint, parseTelemetrySettings } from '../../../extension/telemetry/telemetrySettings';

test('roundPow2 rounds to the nearest power of two in log space', () => {
  const cases: [number, number][] = [
    [0, 0], [0.3, 1], [1, 1], [2, 2], [3, 4], [5, 4], [6, 8], [11, 8], [12, 16], [100, 128], [1000, 1024],
    [1234, 1024], [3000, 4096], [90_000, 65_536], [2 ** 40 + 1, 2 ** 40], [46_341, 65_536],
  ];
  for (const [value, expected] of cases) assert.equal(roundPow2(value), expected, `roundPow2(${value})`);
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.ok(Number.isNaN(roundPow2(bad)), `roundPow2(${bad}) is NaN`);
  // Every result is 0 or a power of two, and within a factor √2 of the input.
  for (let v = 1; v < 1e7; v = Math.ceil(v * 1.37)) {
    const r = roundPow2(v);
    assert.ok(Number.isInteger(Math.log2(r)), `${r} is a power of two`);
    assert.ok(r / v <= Math.SQRT2 + 1e-9 && v / r <= Math.SQRT2 + 1e-9, `${v} → ${r}`);
  }
});

test('model ids are sent as their known family, anything else as other/unknown', () => {
  const families: [string | undefined, string][] = [
    ['gpt-4o', 'gpt-4o'],
    ['copilot/claude-sonnet-4.5', 'claude-sonnet-4.5'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4.1-2025-04-14', 'gpt-4.1'],
    ['o3', 'o3'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4.5'],
    ['claude-3-5-sonnet-20241022', 'claude-3.5-sonnet'],
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['gpt-4.7', 'other'], // An unknown minor version is not guessed.
    [undefined, 'unknown'],
    ['my model with spaces', 'other'],
    ['x'.repeat(101), 'other'],
    ['test-model', 'other'],
  ];
  for (const [id, family] of families) assert.equal(telemetryModel(id), family, String(id));
  assert.equal(telemetryStrategy('llm'), 'llm');
  assert.equal(telemetryStrategy('something new'), 'other');
  assert.equal(telemetryTiers([{ tier: 'restore', count: 2 }, { tier: 'mask', count: 1 }, { tier: 'truncate', count: 0 }]), 'mask+restore');
  assert.equal(telemetryTiers([]), 'none');
});

test('personal text in a model id never leaves: a fine-tune keeps only its base family, the rest is other (issue 16)', () => {
  // Each of these was accepted verbatim before; only a family name from the fixed list may come out.
  const personal: [string, string][] = [
    ['C:/Users/alice/Documents/merger-plan.txt', 'other'],
    ['alice.smith@acme-corp.com', 'other'],
    ['alice.smith@acme-corp.com/project-phoenix', 'other'],
    ['ft:gpt-4o-2024-08-06:acme-corp:project-phoenix:9xYz', 'gpt-4o'],
    ['ft:gpt-4o-mini:acme-corp::abc123', 'gpt-4o-mini'],
    ['password:hunter2', 'other'],
    ['Error: ENOENT: no such file /home/alice/secret.txt', 'other'],
    ['gpt-4o@alice', 'gpt-4o'],
    ['acme-corp/project-phoenix', 'other'],
  ];
  for (const [raw, expected] of personal) {
    const sent = telemetryModel(raw);
    assert.equal(sent, expected, raw);
    for (const word of ['alice', 'acme', 'phoenix', 'hunter2', 'merger', '9xyz', 'abc123']) assert.ok(!sent.toLowerCase().includes(word), `${raw} → ${sent}`);
    assert.equal(validateEvent('compaction_failed', { source: 'auto', reason: 'inflated', model: sent }).ok, true);
  }
  assert.equal(validateEvent('compaction_failed', { source: 'auto', reason: 'inflated', model: 'alice.smith@acme-corp.com' }).ok, false, 'the schema itself rejects a raw id');
});

test('failure reasons are enums, never messages', () => {
  assert.equal(reasonOfStatus('prompt_too_long'), 'prompt_too_long');
  assert.equal(reasonOfStatus('Cancelled; the session is unchanged.'), 'unknown');
  assert.equal(reasonOfError(new EngineUnavailableError('restarting', 'x')), 'engine_unavailable');
  assert.equal(reasonOfError(new EngineRequestError('compaction/compact', -32800, 'cancelled', undefined)), 'aborted');
  assert.equal(reasonOfError(new EngineRequestError('compaction/compact', -32050, 'x', { kind: 'EngineError', method: 'compaction/compact', status: 'internal' })), 'engine_error');
  const modelError = new Error('rate limited');
  modelError.name = 'LanguageModelError';
  assert.equal(reasonOfError(modelError), 'model_error');
  assert.equal(reasonOfError(new Error('/home/alice/x.ts not found')), 'unknown');
});

test('validateEvent accepts a well-formed event and names the field of a bad one', () => {
  const ok = validateEvent('compaction_failed', { source: 'auto', reason: 'inflated', model: 'gpt-4o' });
  assert.equal(ok.ok, true);
  const extra = validateEvent('compaction_failed', { source: 'auto', reason: 'inflated', model: 'gpt-4o', path: '/home/a' });
  assert.equal(extra.ok, false);
  assert.match(extra.ok ? '' : extra.problem, /compaction_failed: path: unrecognized_keys/);
  const notPow2 = validateEvent('compaction_reverted', { source: 'auto', strategy: 'llm', age_seconds_b2: 3 });
  assert.match(notPow2.ok ? '' : notPow2.problem, /age_seconds_b2/);
  const unknown = validateEvent('session_opened', {});
  assert.match(unknown.ok ? '' : unknown.problem, /unknown telemetry event "session_opened"/);
});

test('the sender strips the extension prefix and common.* properties', () => {
  assert.equal(bareEventName('context-compactor.context-compactor/compaction_completed'), 'compaction_completed');
  assert.equal(bareEventName('compaction_completed'), 'compaction_completed');
  assert.deepEqual(withoutCommonProperties({ a: 1, 'common.vscodemachineid': 'm', 'common.os': 'linux' }), { a: 1 });
});

test('TelemetryGate: VS Code level, then the setting, then the key', () => {
  const state = { level: 'all' as 'all' | 'error' | 'crash' | 'off', setting: true, key: true };
  const gate = new TelemetryGate({ vscode: () => enableStatesOf(state.level), settingEnabled: () => state.setting, hasKey: () => state.key });
  const allows = () => [gate.allows('usage'), gate.allows('error')];
  assert.deepEqual(allows(), [true, true]);
  state.level = 'error';
  assert.deepEqual(allows(), [false, true]);
  state.level = 'crash';
  assert.deepEqual(allows(), [false, false]);
  state.level = 'off';
  assert.deepEqual(allows(), [false, false]);
  state.level = 'all';
  state.setting = false;
  assert.deepEqual(allows(), [false, false], 'the setting can only turn it off');
  state.setting = true;
  state.key = false;
  assert.deepEqual(allows(), [false, false], 'no key, nothing');
  assert.equal(gate.anyEnabled, false);
});

test('telemetry settings: defaults, invalid values fall back without echoing them, key/host precedence', () => {
  assert.deepEqual(parseTelemetrySettings({}).settings, { enabled: true, posthogKey: '', posthogHost: '' });
  const bad = parseTelemetrySettings({ enabled: 'yes', posthogKey: 'phc secret with spaces', posthogHost: 'ftp://x' });
  assert.deepEqual(bad.settings, { enabled: true, posthogKey: '', posthogHost: '' });
  assert.equal(bad.problems.length, 3);
  assert.ok(bad.problems.every((p) => !p.includes('secret')), 'a mistyped key is not echoed');
  const settings = parseTelemetrySettings({ enabled: false, posthogKey: ' phc_abc ', posthogHost: 'http://127.0.0.1:9' }).settings;
  assert.deepEqual(settings, { enabled: false, posthogKey: 'phc_abc', posthogHost: 'http://127.0.0.1:9' });
  assert.equal(effectiveEndpoint({ enabled: true, posthogKey: '', posthogHost: '' }, { key: '', host: '' }), undefined);
  assert.deepEqual(effectiveEndpoint({ enabled: true, posthogKey: '', posthogHost: '' }, { key: 'phc_build', host: '' }), { key: 'phc_build', host: DEFAULT_POSTHOG_HOST });
  assert.deepEqual(effectiveEndpoint({ enabled: true, posthogKey: 'phc_user', posthogHost: 'https://eu.i.posthog.com' }, { key: 'phc_build', host: 'https://b' }), {
    key: 'phc_user',
    host: 'https://eu.i.posthog.com',
  });
});
