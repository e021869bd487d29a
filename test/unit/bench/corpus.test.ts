// Synthetic sessions for the speed benchmarks (bench/speed/corpus.ts), on a
// three-message fixture (a request, a tool call, its result; ~30 tokens).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copyParts, storedTokens, syntheticSession } from '../../../bench/speed/corpus';
import type { MessageRecord } from '../../../src/compaction/records';

const at = new Date(0).toISOString();
const fixture: MessageRecord[] = [
  { type: 'message', id: 'a', at, role: 'user', parts: [{ type: 'text', text: 'fix the bug' }], tokens: 8, encoding: 'o200k_base' },
  { type: 'message', id: 'b', at, role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'read', args: { path: 'x.ts' } }], tokens: 12, encoding: 'o200k_base', usage: { inputTokens: 99 } },
  { type: 'message', id: 'c', at, role: 'tool', parts: [{ type: 'tool_result', callId: 'c1', text: 'const x = 1;' }], tokens: 10, encoding: 'o200k_base' },
];

describe('copyParts', () => {
  it('returns copy 0 unchanged', () => {
    assert.equal(copyParts(fixture[0]!.parts, 0), fixture[0]!.parts);
  });

  it('gives later copies their own call ids, still paired, and a tagged text', () => {
    const call = copyParts(fixture[1]!.parts, 2)[0]!;
    const result = copyParts(fixture[2]!.parts, 2)[0]!;
    assert.ok(call.type === 'tool_call' && result.type === 'tool_result');
    assert.equal(call.id, 'c1~2');
    assert.equal(result.callId, call.id);
    assert.equal(result.text, 'const x = 1;\n[copy 2]');
    assert.equal(fixture[2]!.parts[0]!.type === 'tool_result' && fixture[2]!.parts[0]!.text, 'const x = 1;', 'the corpus message is not mutated');
  });
});

describe('syntheticSession', () => {
  it('reaches the requested size with unique message ids and unique call ids', () => {
    const log = syntheticSession(fixture, 200, 's');
    assert.ok(storedTokens(log) >= 200);
    const ids = log.records.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    const callIds = log.records.flatMap((r) => (r.type === 'message' ? r.parts.flatMap((p) => (p.type === 'tool_call' ? [p.id] : [])) : []));
    assert.equal(new Set(callIds).size, callIds.length);
  });

  it('drops provider-reported usage and numbers the turns', () => {
    const log = syntheticSession(fixture, 100, 's');
    const messages = log.records.filter((r): r is MessageRecord => r.type === 'message');
    assert.ok(messages.every((m) => m.usage === undefined));
    assert.deepEqual(messages.slice(0, 4).map((m) => m.turn), [1, 1, 1, 2]);
  });
});
