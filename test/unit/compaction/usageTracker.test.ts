/**
 * UsageTracker (src/compaction/usageTracker.ts) must give exactly what the
 * full fold gives (usageOfLog = usageOf(contextOf(log)) + calibration +
 * estimate label) after every append, on random sequences of messages,
 * compactions (hand-built and from the planner), reverts, rewinds and header
 * changes, while re-folding only on non-message records.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { budgetFor } from '../../../src/compaction/budget';
import { activeCompaction, contextOf, contextTokens } from '../../../src/compaction/context';
import { compact } from '../../../src/compaction/planner';
import type { BodyRecord, MessageRecord, SessionLog } from '../../../src/compaction/records';
import { usageOfLog } from '../../../src/compaction/usage';
import { UsageTracker } from '../../../src/compaction/usageTracker';
import { seeded } from '../../reliability/seeded';
import { assistant, call, codingSession, compactionRecord, estimate, fakeClock, filler, result, revert, session, user } from './fixtures';

/** mulberry32 (test/reliability/seeded.ts): a small seeded generator, so a failure names its seed. */
const rng = seeded;

const budget = budgetFor({ maxInputTokens: 40_000 });
const smallBudget = budgetFor({ maxInputTokens: 8_000, maxOutputTokens: 1_000 }, { warnPercent: 50, autoCompactPercent: 60, targetPercent: 30 });

function check(tracker: UsageTracker, log: SessionLog, what: string): void {
  assert.deepEqual(tracker.usage(budget), usageOfLog(log, budget), what);
  assert.deepEqual(tracker.usage(smallBudget), usageOfLog(log, smallBudget), `${what} (other budget)`);
}

function randomSequence(seed: number): SessionLog {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const log = seed % 2 === 0 ? session([], 'You are a coding agent.') : codingSession(2, 400);
  const tracker = new UsageTracker(log);
  let n = 0;
  let turn = 1;
  let compactions = 0;
  check(tracker, log, `seed ${seed}: initial`);
  for (let step = 0; step < 120; step++) {
    const id = `m${seed}-${n++}`;
    const r = rand();
    let record: BodyRecord;
    let kind: string;
    if (r < 0.72) {
      kind = 'message';
      const shape = rand();
      let m: MessageRecord;
      if (shape < 0.25) m = user(id, `request ${n}: ${filler(Math.floor(rand() * 300) + 5)}`);
      else if (shape < 0.45) m = call(id, `c-${id}`, pick(['read_file', 'bash', 'grep']), { path: `src/f${n}.ts` }, rand() < 0.5 ? 'let me look' : '');
      else if (shape < 0.7) m = result(id, `c-${id}`, 'read_file', filler(Math.floor(rand() * 3_000), 'code'), rand() < 0.1);
      else m = assistant(id, filler(Math.floor(rand() * 800) + 1, 'answer'));
      if (shape < 0.25) turn++;
      m = { ...m, turn };
      if (rand() < 0.15) m = { ...m, encoding: 'o200k_base' };
      if (m.role === 'assistant' && rand() < 0.3) {
        // Reported input tokens: near what we counted (usable) or far off (unusable), sometimes absent.
        const counted = contextTokens(contextOf(log));
        const factor = pick([0.9, 1.1, 1.3, 3, 0]);
        m = { ...m, usage: rand() < 0.8 ? { inputTokens: Math.round(counted * factor), outputTokens: 10 } : { outputTokens: 10 } };
      }
      record = m;
    } else if (r < 0.84) {
      kind = 'compaction';
      const context = contextOf(log);
      const ids = context.flatMap((m) => (m.kind === 'message' && m.messageId ? [m.messageId] : []));
      if (rand() < 0.4 && ids.length >= 4) {
        const res = compact(log, {
          source: 'manual', strategy: pick(['mask', 'extractive', 'truncate', 'auto'] as const),
          targetTokens: Math.max(200, Math.floor(contextTokens(context) / 3)), counter: estimate, clock: fakeClock(),
          id: `cp${seed}-${compactions++}`, maskAfterTurns: 1, keepTailTurns: 1,
        });
        if (res.status !== 'compacted') continue;
        record = res.record;
      } else {
        const cut = Math.floor(rand() * ids.length);
        const prev = activeCompaction(log);
        const covered = [...(prev?.covered ?? []), ...ids.slice(0, cut)];
        const kept = ids.slice(cut);
        const masked = kept.length > 1 && rand() < 0.5 ? kept[0]! : undefined;
        record = compactionRecord(`cp${seed}-${compactions++}`, {
          covered,
          replaced: masked ? [{ messageId: masked, parts: [{ type: 'text', text: '[masked]' }], tokens: 7 }] : [],
          summary: cut > 0 || rand() < 0.3 ? `summary ${n}` : '',
          summaryTokens: Math.floor(rand() * 500),
          attachments: rand() < 0.3 ? [{ path: 'src/a.ts', text: 'export {}', tokens: 40 }] : [],
        });
      }
    } else if (r < 0.92) {
      kind = 'revert';
      const c = activeCompaction(log);
      if (!c) continue;
      record = revert(c.id, `rv-${id}`);
    } else if (r < 0.98) {
      kind = 'rewind';
      const fromTurn = Math.max(0, turn - Math.floor(rand() * 3));
      record = { type: 'rewind', id, at: '2025-01-01T00:00:00.000Z', fromTurn };
    } else {
      kind = 'header';
      const before = tracker.recomputes;
      const system = rand() < 0.5;
      log.header = system
        ? { ...log.header, systemPrompt: `You are agent ${n}.`, systemTokens: n }
        : { ...log.header, model: { id: pick(['gpt-4o', 'claude-sonnet-4']), maxInputTokens: 100_000 } };
      check(tracker, log, `seed ${seed} step ${step}: header change`);
      assert.equal(tracker.recomputes, before + (system ? 1 : 0), 'only a new system prompt re-folds');
      continue;
    }
    const before = tracker.recomputes;
    // Half the appends go through the tracker, half are pushed onto the log (as the session service does).
    if (rand() < 0.5) tracker.append(record);
    else log.records.push(record);
    check(tracker, log, `seed ${seed} step ${step}: after ${kind}`);
    if (kind === 'message') assert.equal(tracker.recomputes, before, `seed ${seed} step ${step}: a message must not re-fold the log`);
    else assert.equal(tracker.recomputes, before + 1, `seed ${seed} step ${step}: one re-fold per ${kind}`);
  }
  return log;
}

test('tracker = full fold on random sequences of appends, compactions, reverts, rewinds and header changes', () => {
  for (let seed = 1; seed <= 40; seed++) randomSequence(seed);
});

test('built in time slices, a tracker over a whole log is the full fold, re-folding only at non-message records', async () => {
  for (let seed = 41; seed <= 52; seed++) {
    const source = randomSequence(seed);
    let yields = 0;
    const slicer = { due: () => true, yield: async () => void yields++ };
    const { log, tracker } = await UsageTracker.build(source.header, source.records, slicer);
    assert.deepEqual(log.records, source.records);
    assert.equal(yields, source.records.length - 1, 'a turn between records when every slice is over');
    check(tracker, log, `seed ${seed}: built`);
    assert.equal(tracker.recomputes, 1 + source.records.filter((r) => r.type !== 'message').length);
  }
});

test('calibration: an assistant message with reported input tokens corrects the numbers from then on', () => {
  const log = codingSession(3, 1_000);
  const tracker = new UsageTracker(log);
  const counted = contextTokens(contextOf(log));
  tracker.append({ ...assistant('x1', 'done'), usage: { inputTokens: Math.round(counted * 1.2) } });
  const u = tracker.usage(budget);
  assert.equal(u.reported, true);
  assert.deepEqual(u, usageOfLog(log, budget));
  tracker.append(user('x2', 'thanks'));
  assert.equal(tracker.usage(budget).reported, true, 'a later message without usage keeps the calibration');
  assert.deepEqual(tracker.usage(budget), usageOfLog(log, budget));
});

test('a log whose records array is replaced or shortened is re-folded', () => {
  const log = codingSession(2, 500);
  const tracker = new UsageTracker(log);
  log.records = log.records.slice(0, 4);
  assert.deepEqual(tracker.usage(budget), usageOfLog(log, budget));
  log.records.length = 2;
  assert.deepEqual(tracker.usage(budget), usageOfLog(log, budget));
  assert.ok(tracker.recomputes >= 3);
});

test('appending a message costs the same at 30 and at 3,000 messages (no re-fold)', () => {
  const small = codingSession(5, 200);
  const big = codingSession(500, 200);
  for (const log of [small, big]) {
    const tracker = new UsageTracker(log);
    for (let i = 0; i < 50; i++) tracker.append(user(`n${i}`, `more ${i}`));
    assert.equal(tracker.recomputes, 1);
    assert.deepEqual(tracker.usage(budget), usageOfLog(log, budget));
  }
});
