import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetFor, DEFAULT_LEVELS, LevelsSchema, levelOf } from '../../../src/compaction/budget';

test('budgetFor: reserve is min(max output, 20,000); effective = window − reserve', () => {
  const b = budgetFor({ maxInputTokens: 128_000, maxOutputTokens: 16_384 });
  assert.equal(b.window, 128_000);
  assert.equal(b.outputReserve, 16_384);
  assert.equal(b.effectiveWindow, 111_616);
  const big = budgetFor({ maxInputTokens: 200_000, maxOutputTokens: 64_000 });
  assert.equal(big.outputReserve, 20_000);
  assert.equal(big.effectiveWindow, 180_000);
  assert.equal(big.autoCompactTokens, 153_000);
  assert.equal(big.targetTokens, 72_000);
  assert.equal(budgetFor({ maxInputTokens: 200_000 }).outputReserve, 20_000, 'unknown max output reserves the cap');
  assert.equal(budgetFor({ maxInputTokens: 8_000, maxOutputTokens: 8_000 }).outputReserve, 4_000, 'never more than half the window');
});

test('levelOf: ok, warn, auto, over', () => {
  const b = budgetFor({ maxInputTokens: 120_000, maxOutputTokens: 20_000 }); // effective 100,000
  assert.equal(levelOf(69_999, b), 'ok');
  assert.equal(levelOf(70_000, b), 'warn');
  assert.equal(levelOf(85_000, b), 'auto');
  assert.equal(levelOf(100_000, b), 'auto');
  assert.equal(levelOf(100_001, b), 'over');
});

/** The levels' schema (what the compaction server validates `levels` with): its first message, or the levels. */
function parseLevels(input: unknown): { ok: true; levels: unknown } | { ok: false; error: string } {
  const r = LevelsSchema.safeParse(input ?? {});
  return r.success ? { ok: true, levels: r.data } : { ok: false, error: r.error.issues.map((i) => i.message).join('; ') };
}

test('LevelsSchema: defaults, and clear errors for out-of-range and misordered levels', () => {
  assert.deepEqual(parseLevels({}), { ok: true, levels: { ...DEFAULT_LEVELS } });
  assert.deepEqual(parseLevels(undefined), { ok: true, levels: { ...DEFAULT_LEVELS } });
  const range = parseLevels({ autoCompactPercent: 150 });
  assert.equal(range.ok, false);
  assert.match(!range.ok ? range.error : '', /autoCompactPercent must be between 1 and 100 \(got 150\)/);
  const order = parseLevels({ warnPercent: 90, autoCompactPercent: 85 });
  assert.match(!order.ok ? order.error : '', /warnPercent \(90\) must be below autoCompactPercent \(85\)/);
  const target = parseLevels({ targetPercent: 90 });
  assert.match(!target.ok ? target.error : '', /targetPercent \(90\) must be below autoCompactPercent/);
  const type = parseLevels({ warnPercent: 'high' });
  assert.match(!type.ok ? type.error : '', /warnPercent must be a number/);
});

