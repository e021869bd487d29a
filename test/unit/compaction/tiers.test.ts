import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf } from '../../../src/compaction/context';
import { extractiveSummary, parseSummary } from '../../../src/compaction/tiers/extractive';
import { maskToolResults } from '../../../src/compaction/tiers/mask';
import { truncateOldest } from '../../../src/compaction/tiers/truncate';
import { assistant, codingSession, estimate, filler, repeatedRead, session, user } from './fixtures';

const resultText = (ctxParts: { parts: { type: string; text?: string }[] } | undefined) =>
  ctxParts?.parts.find((p) => p.type === 'tool_result')?.text ?? '';

test('mask: tool results older than the last N turns become stubs naming tool, args and tokens removed', () => {
  const ctx = contextOf(codingSession(4, 2_000)); // 24 messages, results ≈ 500 tokens each
  const r = maskToolResults(ctx, { maskAfterTurns: 2, counter: estimate });
  assert.equal(r.masked, 4, 'two results in each of the two oldest turns');
  const ids = r.replaced.map((x) => x.messageId);
  assert.deepEqual(ids, ['t1a', 't1b', 't2a', 't2b']);
  const stub = resultText(r.replaced[0]);
  assert.match(stub, /^\[tool result masked: read_file \{"path":"src\/mod1\.ts"\} — \d{3} tokens removed\. Recall it with compactor_recall, recall id "c1r"\]$/);
  const original = ctx.find((m) => m.messageId === 't1a')!;
  assert.ok(r.replaced[0]!.tokens < original.tokens / 5);
  assert.equal(r.tokensRemoved, ctx.filter((m) => ids.includes(m.messageId ?? '')).reduce((s, m) => s + m.tokens, 0) - r.replaced.reduce((s, x) => s + x.tokens, 0));
  const part = r.replaced[0]!.parts[0];
  assert.equal(part?.type === 'tool_result' && part.callId, 'c1r', 'the result keeps its call id, so the pair stays intact');
});

test('mask: an earlier identical read collapses to a stub pointing to the later one, even in recent turns', () => {
  const content = filler(1_200, 'body');
  const ctx = contextOf(repeatedRead(content));
  const r = maskToolResults(ctx, { maskAfterTurns: 5, counter: estimate });
  assert.equal(r.masked, 1);
  assert.equal(r.replaced[0]?.messageId, 't1');
  assert.match(resultText(r.replaced[0]), /superseded: read_file \{"path":"src\/a\.ts"\}.*call r2/);
});

test('mask: small results and already-masked stubs are left alone', () => {
  const ctx = contextOf(codingSession(4, 40));
  assert.equal(maskToolResults(ctx, { maskAfterTurns: 1, counter: estimate }).masked, 0);
});

test('extractive summary keeps requests, files, commands, errors with what followed, decisions', () => {
  const log = codingSession(3, 400);
  const text = extractiveSummary({ messages: contextOf(log).filter((m) => m.kind === 'message') }, { budgetTokens: 4_000, counter: estimate });
  for (const section of ['User requests', 'Key concepts and identifiers', 'Files and code touched', 'Errors and fixes', 'Commands run', 'Decisions', 'Current work', 'Next step']) {
    assert.match(text, new RegExp(`## ${section}`), section);
  }
  assert.match(text, /- Request 1: please fix the bug in src\/mod1\.ts and do not touch package\.json/);
  // The ledger: each file with what happened to it, each command with its outcome, each error with what followed.
  assert.match(text, /`src\/mod2\.ts` — read/);
  assert.match(text, /`npm test -- mod2` → failed: Error: expected 2 got 3 in parseThing/);
  assert.match(text, /`npm test -- mod2` failed: Error: expected 2 got 3 in parseThing — not yet resolved; next the agent used read_file src\/mod3\.ts/);
  assert.match(text, /Names used most \(variables, types, modules\): `parseThing`/);
  // A constraint sentence that is the whole request is not repeated (the request is quoted).
  assert.ok(!/User constraint: Request 1/.test(text));
});

test('extractive summary fits its budget by dropping low-priority items first, never the request section', () => {
  const log = codingSession(12, 400);
  const msgs = contextOf(log).filter((m) => m.kind === 'message');
  const full = extractiveSummary({ messages: msgs }, { budgetTokens: 20_000, counter: estimate });
  const small = extractiveSummary({ messages: msgs }, { budgetTokens: 500, counter: estimate });
  assert.ok(estimate.countText(small) <= 500, `summary has ${estimate.countText(small)} tokens`);
  assert.ok(estimate.countText(full) > estimate.countText(small));
  assert.match(small, /## User requests/);
  assert.match(small, /Request 12/);
  assert.match(small, /more omitted to fit the budget/);
});

test('a previous summary is merged into the new one, not nested', () => {
  const first = extractiveSummary({ messages: codingSession(2, 200).records as never }, { budgetTokens: 4_000, counter: estimate });
  const later = session([user('u9', 'Now rename parseThing to parseItem'), assistant('a9', 'Renamed.')]);
  const second = extractiveSummary({ messages: later.records as never, previousSummary: first }, { budgetTokens: 4_000, counter: estimate });
  assert.equal(second.split('# Summary of the earlier conversation').length, 2, 'one title only');
  assert.equal(second.split('## User requests').length, 2, 'one requests section');
  assert.match(second, /Request 1:[\s\S]*Request 2:[\s\S]*Now rename parseThing/);
  assert.deepEqual(parseSummary(first).userRequests?.length, 2);
});

test('truncate drops the oldest rounds at a turn start with a visible marker', () => {
  const msgs = contextOf(codingSession(4, 400)).filter((m) => m.kind === 'message'); // 24 messages
  const total = msgs.reduce((s, m) => s + m.tokens, 0);
  const r = truncateOldest(msgs, { maxTokens: Math.floor(total / 2) });
  assert.deepEqual(r.dropped.slice(0, 2), ['u1', 'a1a']);
  assert.equal(r.dropped.length % 6, 0, 'whole turns are dropped');
  assert.ok(total - r.droppedTokens <= total / 2);
  assert.match(r.marker, /^\[\d+ earlier messages \([\d,]+ tokens\) were dropped to fit the context window\]\nUser requests among them:\n- Request 1/);
  assert.deepEqual(truncateOldest(msgs, { maxTokens: total }).dropped, []);
});
