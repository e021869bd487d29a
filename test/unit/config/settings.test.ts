import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, parseSettings } from '../../../extension/config/settings';

test('unset values take the defaults with no problems', () => {
  const { settings, problems } = parseSettings({});
  assert.deepEqual(settings, DEFAULT_SETTINGS);
  assert.deepEqual(problems, []);
});

test('valid values are used as given', () => {
  const { settings, problems } = parseSettings({
    'levels.warnPercent': 60,
    'levels.autoCompactPercent': 90,
    'levels.targetPercent': 30,
    keepTailTurns: 4,
    'autoCompact.enabled': false,
    summaryModel: 'gpt-4o-mini',
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(settings.levels, { warnPercent: 60, autoCompactPercent: 90, targetPercent: 30 });
  assert.equal(settings.keepTailTurns, 4);
  assert.equal(settings.autoCompact.enabled, false);
  assert.equal(settings.summaryModel, 'gpt-4o-mini');
});

test('a malformed value falls back to its default and names the setting', () => {
  const { settings, problems } = parseSettings({ 'levels.warnPercent': 'seventy', keepTailTurns: -1 });
  assert.equal(settings.levels.warnPercent, DEFAULT_SETTINGS.levels.warnPercent);
  assert.equal(settings.keepTailTurns, DEFAULT_SETTINGS.keepTailTurns);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /compactor\.levels\.warnPercent: "seventy" is not valid/);
  assert.match(problems[1]!, /compactor\.keepTailTurns: -1/);
});

test('levels that contradict each other fall back together', () => {
  const { settings, problems } = parseSettings({ 'levels.warnPercent': 90, 'levels.autoCompactPercent': 80 });
  assert.deepEqual(settings.levels, DEFAULT_SETTINGS.levels);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /must be below auto-compact \(80%\)/);
});

test('percent levels outside 1..100 are rejected', () => {
  const { problems } = parseSettings({ 'levels.autoCompactPercent': 150 });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /autoCompactPercent: 150/);
});

test('idle compaction: off by default, fractional minutes from 0.05, bad values fall back', () => {
  assert.deepEqual(parseSettings({}).settings.idleCompaction, { afterMinutes: 0, minTokens: 20_000 });
  assert.deepEqual(parseSettings({ 'idleCompaction.afterMinutes': 0.1, 'idleCompaction.minTokens': 500 }).settings.idleCompaction, { afterMinutes: 0.1, minTokens: 500 });
  const bad = parseSettings({ 'idleCompaction.afterMinutes': 0.01, 'idleCompaction.minTokens': -1 });
  assert.deepEqual(bad.settings.idleCompaction, { afterMinutes: 0, minTokens: 20_000 });
  assert.equal(bad.problems.length, 2);
  assert.match(bad.problems[0]!, /compactor\.idleCompaction\.afterMinutes: 0\.01 is not valid \(must be 0 \(off\) or at least 0\.05 minutes\)/);
});

test('the agent settings default to 50 rounds and mentioned external tools', () => {
  const { settings } = parseSettings({});
  assert.deepEqual(settings.agent, { maxToolRounds: 50, externalTools: 'mentioned' });
});

test('agent settings are validated: rounds a positive integer up to 1000, external tools one of three', () => {
  const ok = parseSettings({ 'agent.maxToolRounds': 200, 'agent.externalTools': 'all' });
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(ok.settings.agent, { maxToolRounds: 200, externalTools: 'all' });
  for (const bad of [0, -5, 2.5, 1001, '50']) {
    const r = parseSettings({ 'agent.maxToolRounds': bad });
    assert.equal(r.settings.agent.maxToolRounds, 50, `rejects ${JSON.stringify(bad)}`);
    assert.match(r.problems[0] ?? '', /compactor\.agent\.maxToolRounds: .* is not valid .*; using 50\./);
  }
  const r = parseSettings({ 'agent.externalTools': 'everything' });
  assert.equal(r.settings.agent.externalTools, 'mentioned');
  assert.match(r.problems[0] ?? '', /compactor\.agent\.externalTools: "everything" is not valid/);
});

test('compaction.preview: always / manual / never, manual by default; anything else falls back with a problem', () => {
  assert.equal(parseSettings({}).settings.compactionPreview, 'manual');
  assert.equal(parseSettings({ 'compaction.preview': 'always' }).settings.compactionPreview, 'always');
  const bad = parseSettings({ 'compaction.preview': 'sometimes' });
  assert.equal(bad.settings.compactionPreview, 'manual');
  assert.match(bad.problems[0] ?? '', /compactor\.compaction\.preview/);
});

test('levels.preparePercent: 75 by default, 0 turns it off, must stay below auto-compact', () => {
  assert.equal(parseSettings({}).settings.preparePercent, 75);
  assert.equal(parseSettings({ 'levels.preparePercent': 0 }).settings.preparePercent, 0);
  assert.equal(parseSettings({ 'levels.preparePercent': 60 }).settings.preparePercent, 60);
  const equal = parseSettings({ 'levels.preparePercent': 85 });
  assert.equal(equal.settings.preparePercent, 75);
  assert.match(equal.problems[0] ?? '', /preparePercent: 85% must be below auto-compact \(85%\)/);
  // Auto-compact lowered below the default preparation level: preparation turns off rather than sitting above it.
  const low = parseSettings({ 'levels.autoCompactPercent': 70, 'levels.warnPercent': 50, 'levels.preparePercent': 72 });
  assert.equal(low.settings.preparePercent, 0);
  assert.equal(parseSettings({ 'levels.preparePercent': 101 }).settings.preparePercent, 75);
});
