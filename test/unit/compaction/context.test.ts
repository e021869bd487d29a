import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activeCompaction, contextOf, contextTokens } from '../../../src/compaction/context';
import { assistant, compactionRecord, revert, session, user } from './fixtures';

// 4 messages, two turns, with a system prompt.
const base = () => [user('u1', 'first request'), assistant('a1', 'first answer'), user('u2', 'second request'), assistant('a2', 'second answer')];

test('contextOf without compaction: system prompt then every message verbatim', () => {
  const log = session(base(), 'be brief');
  const ctx = contextOf(log);
  assert.deepEqual(ctx.map((m) => m.kind), ['system', 'message', 'message', 'message', 'message']);
  assert.equal(ctx[0]?.role, 'system');
  assert.deepEqual(ctx.slice(1).map((m) => m.messageId), ['u1', 'a1', 'u2', 'a2']);
  assert.equal(contextTokens(ctx.slice(1)), base().reduce((s, m) => s + m.tokens, 0));
});

test('contextOf applies the newest compaction: summary at the first covered message, attachments after, later messages verbatim', () => {
  const c = compactionRecord('c1', { covered: ['u1', 'a1'], summary: 'SUMMARY', summaryTokens: 7, attachments: [{ path: 'a.ts', text: 'file a', tokens: 3 }] });
  const log = session([...base(), c, user('u3', 'third')]);
  const ctx = contextOf(log);
  assert.deepEqual(ctx.map((m) => m.kind), ['summary', 'attachment', 'message', 'message', 'message']);
  assert.equal(ctx[0]?.role, 'user');
  assert.equal(ctx[0]?.tokens, 7, 'stored summaryTokens, not re-counted');
  assert.deepEqual(ctx.filter((m) => m.messageId).map((m) => m.messageId), ['u2', 'a2', 'u3']);
  assert.equal(activeCompaction(log)?.id, 'c1');
});

test('a reverted compaction is ignored and the previous one applies', () => {
  const c1 = compactionRecord('c1', { covered: ['u1'], summary: 'S1', summaryTokens: 2 });
  const c2 = compactionRecord('c2', { covered: ['u1', 'a1', 'u2'], summary: 'S2', summaryTokens: 2 });
  const log = session([...base(), c1, c2, revert('c2')]);
  assert.equal(activeCompaction(log)?.id, 'c1');
  const ctx = contextOf(log);
  assert.equal(ctx[0]?.parts[0]?.type === 'text' && ctx[0].parts[0].text, 'S1');
  assert.deepEqual(ctx.filter((m) => m.messageId).map((m) => m.messageId), ['a1', 'u2', 'a2']);
  const all = contextOf(session([...base(), c1, revert('c1')]));
  assert.equal(all.length, 4, 'reverting the only compaction restores the full transcript');
});

test('replaced parts and tokens apply to kept messages', () => {
  const c = compactionRecord('c1', { replaced: [{ messageId: 'a1', parts: [{ type: 'text', text: 'stub' }], tokens: 1 }] });
  const ctx = contextOf(session([...base(), c]));
  const a1 = ctx.find((m) => m.messageId === 'a1');
  assert.equal(a1?.tokens, 1);
  assert.deepEqual(a1?.parts, [{ type: 'text', text: 'stub' }]);
  assert.equal(ctx.filter((m) => m.kind === 'summary').length, 0, 'no summary message when the summary is empty');
});

test('partial-from compaction: earlier messages verbatim, summary where the covered part began', () => {
  const c = compactionRecord('c1', { covered: ['u2', 'a2'], summary: 'LATER PART', summaryTokens: 3 });
  const ctx = contextOf(session([...base(), c]));
  assert.deepEqual(ctx.map((m) => m.messageId ?? m.kind), ['u1', 'a1', 'summary']);
});
