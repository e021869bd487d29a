// A tool result whose model-visible text was cut keeps the whole output in
// `fullText` (extension/tools/outputBounds.ts). Masking replaces what the
// model saw with a stub; the whole output must stay in the original message
// only, not be copied into every compaction record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf } from '../../../src/compaction/context';
import { PartSchema } from '../../../src/compaction/records';
import { maskToolResults } from '../../../src/compaction/tiers/mask';
import { call, estimate, filler, message, session, user, assistant } from './fixtures';

test('fullText is part of the tool_result contract (optional)', () => {
  assert.ok(PartSchema.safeParse({ type: 'tool_result', callId: 'c', text: 'cut', fullText: 'whole' }).success);
  assert.ok(PartSchema.safeParse({ type: 'tool_result', callId: 'c', text: 'whole' }).success);
  assert.equal(PartSchema.safeParse({ type: 'tool_result', callId: 'c', text: 'x', fullText: 3 }).success, false);
});

test('a masked result does not carry the whole output into the compaction', () => {
  const whole = filler(50_000, 'output');
  const records = [
    user('u1', 'run the tests'),
    call('a1', 'c1', 'compactor_runInTerminal', { command: 'npm test' }),
    message('t1', 'tool', [{ type: 'tool_result', callId: 'c1', name: 'compactor_runInTerminal', text: filler(8_000, 'shown'), fullText: whole }]),
    assistant('a2', 'done'),
    user('u2', 'next'),
    assistant('a3', 'ok'),
    user('u3', 'next'),
    assistant('a4', 'ok'),
  ];
  const r = maskToolResults(contextOf(session(records)), { maskAfterTurns: 1, counter: estimate });
  assert.equal(r.masked, 1);
  const part = r.replaced[0]!.parts[0]!;
  assert.equal(part.type, 'tool_result');
  assert.ok(part.type === 'tool_result' && !('fullText' in part), 'the stub has no fullText');
  assert.ok(part.type === 'tool_result' && part.callId === 'c1');
  assert.ok(JSON.stringify(r.replaced).length < 1_000);
  // The log's message itself is untouched: the whole output is still there.
  const original = records[2]!;
  assert.ok(original.type === 'message' && original.parts[0]?.type === 'tool_result' && original.parts[0].fullText === whole);
});
