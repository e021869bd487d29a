// A huge count in the compaction server (issue "counting that stays linear"):
// a 1,000,000-character unbroken run counts without error — the encoder alone
// fails on it — and a small request sent right after it is answered first,
// because the server counts in time slices and reads other requests between them.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import type { CountResult } from '../../src/compaction/protocol';
import { CountRequest } from '../../src/compaction/server/requests';
import { createTokenCounter } from '../../src/compaction/tokens/counter';
import { type ServerHandle, startServer } from './serverProcess';

let server: ServerHandle;

before(async () => {
  server = startServer('source');
  await server.initialize();
  // The tokenizer loads on the first count; load it before timing anything.
  await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: ['warm up'] });
});
after(async () => server.stop());

let seed = 42;
const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** 1M random letters: one unbroken run (base64 without digits), no exact boundary anywhere. */
const RUN = Array.from({ length: 1_000_000 }, () => letters[((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % letters.length]).join('');

describe('compaction/count of a 1,000,000-character run', () => {
  it('counts it without error, as the engine counter does in-process', async () => {
    const r = await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: [RUN, 'x'.repeat(1_000_000)] });
    assert.equal(r.texts[0], createTokenCounter().countText(RUN));
    assert.equal(r.texts[1], createTokenCounter().countText('x'.repeat(1_000_000)));
    assert.ok(r.texts[0]! > 100_000, `${r.texts[0]} tokens`);
  });

  it('does not hold up a small request sent right after it: the small one is answered first, long before the big one', async () => {
    // Another run, so the server's cache does not answer the big one at once.
    const big = `${RUN.slice(1)}Q`;
    const answered: string[] = [];
    const t0 = performance.now();
    let smallMs = 0;
    let bigMs = 0;
    const bigDone = server.connection
      .sendRequest(CountRequest, { model: 'gpt-4o', texts: [big], messages: [[{ type: 'tool_result', callId: 'c', text: big.toLowerCase() }]] })
      .then((r: CountResult) => {
        answered.push('big');
        bigMs = performance.now() - t0;
        return r;
      });
    const smallDone = server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: ['hello world'] }).then((r: CountResult) => {
      answered.push('small');
      smallMs = performance.now() - t0;
      return r;
    });
    const [b, s] = await Promise.all([bigDone, smallDone]);
    assert.deepEqual(answered, ['small', 'big'], `small answered after ${Math.round(smallMs)} ms, big after ${Math.round(bigMs)} ms`);
    assert.deepEqual(s.texts, [2]);
    assert.ok(b.texts[0]! > 100_000 && b.messages[0]! > 100_000);
    // Generous: the machine is shared; the bench measures the latency itself.
    assert.ok(smallMs < Math.max(1_000, bigMs / 2), `small answered after ${Math.round(smallMs)} ms (big: ${Math.round(bigMs)} ms)`);
  });
});
