import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetFor } from '../../../src/compaction/budget';
import { contextOf } from '../../../src/compaction/context';
import { findSplitPoint } from '../../../src/compaction/split';
import { calibrate } from '../../../src/compaction/tokens/calibration';
import { USED_CATEGORIES, usageOf } from '../../../src/compaction/usage';
import { assistant, call, codingSession, compactionRecord, message, result, session, user } from './fixtures';

test('usage categories plus free sum to the effective window, plus reserve to the window', () => {
  const log = codingSession(3, 400); // 18 messages, ≈ 700 tokens
  log.records.push(compactionRecord('c1', { covered: ['u1', 'a1a', 't1a'], summary: 'sum', summaryTokens: 11 }));
  const ctx = contextOf(log);
  const b = budgetFor({ maxInputTokens: 10_000, maxOutputTokens: 2_000 });
  const u = usageOf(ctx, b);
  const usedSum = USED_CATEGORIES.reduce((s, c) => s + u.categories[c], 0);
  assert.equal(usedSum + u.categories.free, b.effectiveWindow);
  assert.equal(usedSum + u.categories.free + u.categories.reservedOutput, b.window);
  assert.equal(u.categories.summary, 11);
  assert.ok(u.categories.system > 0 && u.categories.user > 0 && u.categories.assistant > 0);
  assert.ok(u.categories.toolResults > u.categories.toolCalls && u.categories.toolCalls > 0);
  assert.equal(u.reported, false);
  assert.equal(Math.round(u.percentUsed * 100) / 100, Math.round((usedSum / b.effectiveWindow) * 10_000) / 100);
});

test('usage with a calibration shows reported numbers', () => {
  const ctx = contextOf(codingSession(1, 400));
  const b = budgetFor({ maxInputTokens: 10_000 });
  const plain = usageOf(ctx, b);
  const u = usageOf(ctx, b, { calibration: calibrate(plain.used, Math.round(plain.used * 1.5)) });
  assert.equal(u.reported, true);
  assert.equal(u.used, Math.round(plain.used * 1.5));
});

test('an assistant message with text and a tool call splits between assistant and toolCalls', () => {
  const m = message('a', 'assistant', [{ type: 'text', text: 'x'.repeat(400) }, { type: 'tool_call', id: 'c', name: 'bash', args: { command: 'y'.repeat(400) } }]);
  const u = usageOf(contextOf(session([m])), budgetFor({ maxInputTokens: 10_000 }));
  assert.ok(u.categories.assistant > 50 && u.categories.toolCalls > 50);
  assert.equal(u.categories.assistant + u.categories.toolCalls, m.tokens);
});

test('findSplitPoint cuts only at user-turn starts and keeps the requested turns', () => {
  const msgs = codingSession(4, 100).records as ReturnType<typeof user>[]; // 24 messages, turns at 0,6,12,18
  assert.equal(findSplitPoint(msgs, { keepTailTurns: 2 }), 12);
  assert.equal(findSplitPoint(msgs, { keepTailTurns: 1 }), 18);
  assert.equal(findSplitPoint(msgs, { keepTailTurns: 0 }), 18, 'the tail never becomes empty');
  assert.equal(findSplitPoint(msgs, { keepTailTurns: 10 }), 0, 'fewer turns than asked: keep everything');
  assert.equal(findSplitPoint(msgs, { keepTailTurns: 3, targetTailTokens: 1 }), 18, 'a token target shrinks the tail to one turn, not zero');
  assert.equal(findSplitPoint(msgs.slice(0, 6), { keepTailTurns: 1 }), 0, 'a single turn has no cut');
});

test('findSplitPoint never cuts between a tool call and its result, nor at a user message carrying tool results', () => {
  const msgs = [
    user('u1', 'start'),
    call('a1', 'c1', 'bash', { command: 'ls' }),
    // A user message with both a tool result and text (Anthropic style) is not a turn start.
    message('u2', 'user', [{ type: 'tool_result', callId: 'c1', text: 'files' }, { type: 'text', text: 'also do X' }]),
    call('a2', 'c2', 'bash', { command: 'pwd' }),
    user('u3', 'interrupting request'), // the result of c2 arrives after this
    result('t2', 'c2', 'bash', '/home'),
    assistant('a3', 'done'),
  ];
  assert.equal(findSplitPoint(msgs, { keepTailTurns: 1 }), 0, 'the only later user message splits c2 from its result');
  const ok = [...msgs.slice(0, 4), result('t2', 'c2', 'bash', '/home'), user('u3', 'next'), assistant('a3', 'done')];
  assert.equal(findSplitPoint(ok, { keepTailTurns: 1 }), 5);
});
