import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectHooks, HOOK_MAX_ATTACHMENTS, HOOK_MAX_PINS } from '../../../extension/api/compactionHooks';

const base = { sessionId: 's1', source: 'manual' as const };

test('instructions and attachments from every listener, in registration order', async () => {
  const got = await collectHooks(
    [
      (e) => e.addInstructions('keep the failing test names'),
      async (e) => {
        await new Promise((r) => setTimeout(r, 5));
        e.addInstructions('mention the plan');
        e.addAttachment({ path: 'PLAN.md', text: '1. fix parser' });
      },
    ],
    base,
  );
  assert.deepEqual(got.instructions, ['keep the failing test names', 'mention the plan']);
  assert.deepEqual(got.attachments, [{ path: 'PLAN.md', text: '1. fix parser' }]);
  assert.deepEqual(got.problems, []);
});

test('a listener that throws or times out is skipped and reported; the others still count', async () => {
  const got = await collectHooks(
    [
      () => {
        throw new Error('boom');
      },
      (e) =>
        new Promise<void>((r) => {
          setTimeout(() => {
            e.addInstructions('too late');
            r();
          }, 200);
        }),
      (e) => e.addInstructions('still here'),
    ],
    base,
    50,
  );
  assert.deepEqual(got.instructions, ['still here'], 'nothing from the failed or late listeners');
  assert.equal(got.problems.length, 2);
  assert.match(got.problems[0]!, /hook 1 skipped: boom/);
  assert.match(got.problems[1]!, /hook 2 skipped: took longer than 50 ms/);
});

test('attachments are bounded and malformed ones ignored', async () => {
  const got = await collectHooks(
    [
      (e) => {
        for (let i = 0; i < 10; i++) e.addAttachment({ path: `f${i}`, text: 'x' });
        e.addAttachment({ path: 1 as unknown as string, text: 'bad' });
        e.addInstructions('   ');
      },
    ],
    base,
  );
  assert.equal(got.attachments.length, HOOK_MAX_ATTACHMENTS);
  assert.deepEqual(got.instructions, [], 'blank instructions are dropped');
});

test('hooks see the summary in effect and the pins, and may add pins (bounded, deduplicated, not after a timeout)', async () => {
  let seen: { summary?: string; pins?: readonly string[] } = {};
  const out = await collectHooks(
    [
      (e) => {
        seen = { ...(e.currentSummary ? { summary: e.currentSummary } : {}), pins: e.pinnedMessageIds };
        e.addPin('m1');
        e.addPin('m1');
        e.addPin('');
        for (let i = 0; i < 30; i++) e.addPin(`x${i}`);
      },
      async (e) => {
        await new Promise((r) => setTimeout(r, 50));
        e.addPin('late');
      },
    ],
    { sessionId: 's', source: 'manual', currentSummary: 'the plan so far', pinnedMessageIds: ['m0'] },
    20,
  );
  assert.deepEqual(seen, { summary: 'the plan so far', pins: ['m0'] });
  assert.equal(out.pins[0], 'm1');
  assert.equal(out.pins.length, HOOK_MAX_PINS, 'bounded');
  assert.ok(!out.pins.includes('late') && !out.pins.includes(''));
  assert.equal(out.problems.length, 1);
});
