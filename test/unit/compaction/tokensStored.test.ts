/**
 * Stored counts instead of re-tokenizing: the mask tier derives a tool
 * result's tokens from the message's stored count (src/compaction/tiers/mask.ts,
 * storedResultTextTokens), so a compaction with a fresh counter (server
 * restart, imported session) tokenizes only small parts, and gives the same
 * result as with a warm counter.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { contextOf } from '../../../src/compaction/context';
import { compact } from '../../../src/compaction/planner';
import type { MessageRecord, Part } from '../../../src/compaction/records';
import { maskToolResults, storedResultTextTokens } from '../../../src/compaction/tiers/mask';
import { createTokenCounter } from '../../../src/compaction/tokens/counter';
import type { TokenCounter } from '../../../src/compaction/types';
import { fakeClock, filler, message, session } from './fixtures';

/** A counter that records every text it is asked to count. */
function spy(inner: TokenCounter): TokenCounter & { texts: string[] } {
  const texts: string[] = [];
  return {
    encoding: inner.encoding,
    estimated: inner.estimated,
    texts,
    countText: (t) => (texts.push(t), inner.countText(t)),
    countParts: (parts) => inner.countParts(parts),
  };
}

function realSession(turns: number) {
  const real = createTokenCounter();
  const records: MessageRecord[] = [];
  for (let t = 0; t < turns; t++) {
    records.push(message(`u${t}`, 'user', [{ type: 'text', text: `please read file ${t}` }], real));
    records.push(message(`a${t}`, 'assistant', [{ type: 'tool_call', id: `c${t}`, name: 'read_file', args: { path: `src/f${t}.ts` } }], real));
    const parts: Part[] = [{ type: 'tool_result', callId: `c${t}`, name: 'read_file', text: `${filler(4_000, `tok${t}`)} ${t}` }];
    // Every third result message also carries a second, smaller result and a text part (multi-part messages).
    if (t % 3 === 0) parts.push({ type: 'text', text: 'note' }, { type: 'tool_result', callId: `c${t}`, text: filler(900, `x${t}`) });
    records.push(message(`t${t}`, 'tool', parts, real));
  }
  return session(records, 'system');
}

test('a tool result’s tokens come from the stored count, equal to tokenizing it', () => {
  const log = realSession(6);
  const real = createTokenCounter();
  for (const m of contextOf(log)) {
    m.parts.forEach((p, i) => {
      if (p.type === 'tool_result') assert.equal(storedResultTextTokens(m, i, createTokenCounter()), real.countText(p.text), `${m.messageId} part ${i}`);
    });
  }
});

test('masking with a fresh counter never tokenizes the largest result of a message, and matches a warm counter', () => {
  const log = realSession(12);
  const warm = createTokenCounter();
  for (const m of contextOf(log)) warm.countParts(m.parts);
  const withWarm = maskToolResults(contextOf(log), { maskAfterTurns: 2, counter: warm });
  const cold = spy(createTokenCounter());
  const withCold = maskToolResults(contextOf(log), { maskAfterTurns: 2, counter: cold });
  assert.deepEqual(withCold, withWarm);
  assert.ok(withCold.masked >= 10, `masked ${withCold.masked}`);
  const big = new Set(log.records.flatMap((r) => (r.type === 'message' ? r.parts.flatMap((p) => (p.type === 'tool_result' && p.text.length > 3_000 ? [p.text] : [])) : [])));
  assert.equal(cold.texts.filter((t) => big.has(t)).length, 0, 'no 4,000-char result was tokenized');
});

test('a stored count that cannot hold the other parts (another encoding) falls back to counting', () => {
  const counter = createTokenCounter();
  const m = { kind: 'message' as const, role: 'tool' as const, messageId: 'x', tokens: 3, parts: [{ type: 'tool_result' as const, callId: 'c', text: 'hello world, hello' }] };
  assert.equal(storedResultTextTokens(m, 0, counter), counter.countText('hello world, hello'));
});

test('compaction with a cold counter gives the same record as with a warm one', () => {
  const log = realSession(15);
  const warm = createTokenCounter();
  for (const m of contextOf(log)) warm.countParts(m.parts);
  for (const strategy of ['mask', 'auto', 'extractive', 'truncate'] as const) {
    const opts = { source: 'manual' as const, strategy, targetTokens: 6_000, id: 'cp', maskAfterTurns: 2, keepTailTurns: 1 };
    const a = compact(log, { ...opts, clock: fakeClock(0), counter: warm });
    const b = compact(log, { ...opts, clock: fakeClock(0), counter: createTokenCounter() });
    assert.equal(a.status, 'compacted', strategy);
    assert.deepEqual(b, a, strategy);
  }
});
