import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextOf, messagesOf, supersededIds } from '../../../src/compaction/context';
import { compact } from '../../../src/compaction/planner';
import type { RewindRecord } from '../../../src/compaction/records';
import { assistant, estimate, fakeClock, session, user } from './fixtures';

const rewind = (fromTurn: number, id = `rw-${fromTurn}`): RewindRecord => ({ type: 'rewind', id, at: '2025-01-01T00:00:00.000Z', fromTurn });
const turn = <T extends { turn?: number }>(m: T, n: number): T => ({ ...m, turn: n });

const long = (text: string) => `${text} ${'lorem ipsum dolor sit amet '.repeat(40)}`;

// 3 turns of ~270 tokens each; the user then edits the request of turn 1 in the Chat view and asks again.
const log = session([
  turn(user('u0', 'first request'), 0),
  turn(assistant('a0', long('first answer')), 0),
  turn(user('u1', 'second request, later edited'), 1),
  turn(assistant('a1', long('second answer')), 1),
  turn(user('u2', 'third request'), 2),
  turn(assistant('a2', long('third answer')), 2),
  rewind(1),
  turn(user('u1b', 'second request, as edited'), 1),
  turn(assistant('a1b', long('answer to the edit')), 1),
]);

test('a rewind supersedes the turns from its turn on that were logged before it', () => {
  assert.deepEqual([...supersededIds(log)].sort(), ['a1', 'a2', 'u1', 'u2']);
});

test('superseded messages stay in the log but leave the context', () => {
  assert.equal(log.records.filter((r) => r.type === 'message').length, 8);
  assert.deepEqual(messagesOf(log).map((m) => m.id), ['u0', 'a0', 'u1b', 'a1b']);
  assert.deepEqual(contextOf(log).map((m) => m.messageId), ['u0', 'a0', 'u1b', 'a1b']);
});

test('a compaction after a rewind never brings superseded messages back', () => {
  const result = compact(log, { source: 'manual', strategy: 'truncate', targetTokens: 400, counter: estimate, clock: fakeClock() });
  assert.equal(result.status, 'compacted');
  if (result.status !== 'compacted') return;
  const next = { ...log, records: [...log.records, result.record] };
  const ids = contextOf(next).map((m) => m.messageId).filter(Boolean);
  for (const gone of ['u1', 'a1', 'u2', 'a2']) assert.ok(!ids.includes(gone), `${gone} came back`);
});
