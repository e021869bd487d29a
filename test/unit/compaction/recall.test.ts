import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf } from '../../../src/compaction/context';
import { RECALL_AWARE_MASK_AFTER_ROUNDS } from '../../../src/compaction/constants';
import { compact } from '../../../src/compaction/planner';
import { maskToolResults } from '../../../src/compaction/tiers/mask';
import { extractiveSummary } from '../../../src/compaction/tiers/extractive';
import {
  answerRecall, formatRecallById, formatSearch, recallById, recallDocuments, searchSession, searchSessionInSlices, snippetsOf, termsOf,
} from '../../../src/compaction/recall';
import type { SessionLog } from '../../../src/compaction/records';
import { createTimeSlicer } from '../../../src/compaction/timeSlicer';
import { assistant, call, codingSession, compactionRecord, estimate, fakeClock, filler, repeatedRead, result, revert, session, user } from './fixtures';

/** The session with its compaction record appended (what the log holds after a compaction). */
function compacted(log: SessionLog, strategy: 'mask' | 'auto', targetTokens: number, maskAfterTurns = 2): SessionLog {
  const r = compact(log, { source: 'manual', strategy, targetTokens, counter: estimate, clock: fakeClock(), maskAfterTurns });
  assert.equal(r.status, 'compacted', r.report.reason);
  return { ...log, records: [...log.records, r.status === 'compacted' ? r.record : compactionRecord('none', {})] };
}

const stubOf = (log: SessionLog, messageId: string) => {
  const m = contextOf(log).find((x) => x.messageId === messageId);
  const p = m?.parts.find((x) => x.type === 'tool_result');
  return p?.type === 'tool_result' ? p.text : '';
};

test('recall by id: a masked result comes back exactly, by the id its stub names', () => {
  const base = codingSession(4, 2_000);
  const log = compacted(base, 'mask', 100_000);
  const stub = stubOf(log, 't1a');
  const named = /recall id "([^"]+)"/.exec(stub)?.[1];
  assert.equal(named, 'c1r', `the stub names its call id: ${stub}`);
  const original = base.records.find((r) => r.type === 'message' && r.id === 't1a');
  const originalText = original?.type === 'message' && original.parts[0]?.type === 'tool_result' ? original.parts[0].text : '';
  const r = recallById(log, named!);
  assert.equal(r.status, 'found');
  assert.equal(r.status === 'found' && r.text, originalText, 'byte for byte the original');
  assert.equal(r.status === 'found' && r.tool, 'read_file');
  const shown = formatRecallById(r);
  assert.ok(shown.endsWith(`\n${originalText}`), 'the answer ends with the exact text');
  assert.match(shown.split('\n')[0]!, /^Tool result of read_file \{"path":"src\/mod1\.ts"\} \(recall id "c1r", message t1a\)/);
  // The way a model may copy it from the stub.
  assert.equal(recallById(log, 'recall id "c1r"').status, 'found');
  assert.equal(recallById(log, '"c1r"').status, 'found');
});

test('recall by id: a message id gives the message text; an unknown id says how to search instead', () => {
  const log = codingSession(2, 400);
  const m = recallById(log, 'u2');
  assert.equal(m.status === 'found' && m.kind, 'message');
  assert.equal(m.status === 'found' && m.text, 'Request 2: please fix the bug in src/mod2.ts and do not touch package.json');
  const unknown = recallById(log, 'call_nope');
  assert.equal(unknown.status, 'unknown');
  assert.match(formatRecallById(unknown), /No tool result or message with id "call_nope".*\{"query": /);
});

test('recall by id: a very long result is cut with a note, never silently', () => {
  const log = session([user('u1', 'go'), call('a1', 'c1', 'bash', { command: 'yes' }), result('t1', 'c1', 'bash', 'y\n'.repeat(50_000))]);
  const text = formatRecallById(recallById(log, 'c1'), 1_000);
  assert.ok(text.length < 1_300);
  assert.match(text, /\[cut: 1,000 of 100,000 characters shown; search with compactor_recall/);
});

test('recall by id and search return the whole output of a result the model saw bounded (fullText)', async () => {
  const whole = `${'line of build output\n'.repeat(2_000)}FAILED: test_timezone_offset expected +02:00\n`;
  const log = session([user('u1', 'run the tests'), call('a1', 'c1', 'runInTerminal', { command: 'npm test' })]);
  log.records.push({ ...result('t1', 'c1', 'runInTerminal', 'line of build output\n[… cut …]'), parts: [{ type: 'tool_result', callId: 'c1', name: 'runInTerminal', text: 'line of build output\n[… cut …]', fullText: whole }] });
  const byId = recallById(log, 'c1');
  assert.equal(byId.status === 'found' && byId.text, whole, 'the stored whole output, not the bounded text');
  const hits = await answerRecall(log, { query: 'test_timezone_offset' });
  assert.ok(hits.ok && hits.found, 'the tail only the whole output holds is searchable');
  assert.match(hits.ok ? hits.text : '', /FAILED: test_timezone_offset/);
});

test('recall by id: a result of the current conversation wins over one of a superseded turn with the same call id', () => {
  const log = session([
    { ...user('u1', 'first try'), turn: 0 },
    { ...call('a1', 'c1', 'bash', { command: 'ls' }), turn: 0 },
    { ...result('t1', 'c1', 'bash', 'old output'), turn: 0 },
    { type: 'rewind', id: 'rw', at: '2025-01-01T00:00:00.000Z', fromTurn: 0 },
    { ...user('u2', 'second try'), turn: 0 },
    { ...call('a2', 'c1', 'bash', { command: 'ls' }), turn: 0 },
    { ...result('t2', 'c1', 'bash', 'new output'), turn: 0 },
  ]);
  const r = recallById(log, 'c1');
  assert.equal(r.status === 'found' && r.text, 'new output');
});

test('documents: covered and masked passages are hidden; superseded turns and reverted summaries are left out', () => {
  const log = session([
    { ...user('u0', 'retracted question about zebras'), turn: 0 },
    { type: 'rewind', id: 'rw', at: '2025-01-01T00:00:00.000Z', fromTurn: 0 },
    { ...user('u1', 'look at a.ts'), turn: 0 },
    { ...call('a1', 'c1', 'read_file', { path: 'a.ts' }), turn: 0 },
    { ...result('t1', 'c1', 'read_file', 'export const answer = 42;'), turn: 0 },
    { ...user('u2', 'now b.ts'), turn: 1 },
    { ...call('a2', 'c2', 'read_file', { path: 'b.ts' }), turn: 1 },
    { ...result('t2', 'c2', 'read_file', 'export const other = 7;'), turn: 1 },
    compactionRecord('cx', { summary: 'reverted summary mentioning zebras' }),
    revert('cx'),
    compactionRecord('c9', {
      summary: 'Summary: the user asked about a.ts',
      covered: ['u1', 'a1', 't1'],
      replaced: [{ messageId: 't2', tokens: 10, parts: [{ type: 'tool_result', callId: 'c2', name: 'read_file', text: '[tool result masked: …]' }] }],
    }),
  ]);
  const docs = recallDocuments(log);
  const texts = docs.map((d) => d.text).join('\n');
  assert.ok(!texts.includes('zebras'), 'superseded messages and reverted summaries are not searched');
  const hidden = (text: string) => docs.find((d) => d.text.includes(text))?.hidden;
  assert.equal(hidden('export const answer'), true, 'covered');
  assert.equal(hidden('export const other'), true, 'masked');
  assert.equal(hidden('now b.ts'), false, 'still verbatim');
  assert.equal(hidden('Summary: the user asked'), false, 'the active summary is in the context');
});

/** A session where the words the tests search for sit in known places. */
function searchable(): SessionLog {
  return session([
    user('u1', 'The parseDate function breaks for time zones. Please fix it.'),
    call('a1', 'c1', 'read_file', { path: 'src/date.ts' }),
    result('t1', 'c1', 'read_file', `${filler(2_000, 'noise')} export function parseDate(s: string) { return new Date(s); } ${filler(2_000, 'noise')}`),
    call('a2', 'c2', 'bash', { command: 'npm test' }),
    result('t2', 'c2', 'bash', 'FAIL test/date.test.ts: expected 2024-01-01T00:00:00Z, time zone offset +02:00 applied twice'),
    call('a3', 'c3', 'read_file', { path: 'README.md' }),
    result('t3', 'c3', 'read_file', `# Project\n${filler(3_000, 'docs')}\nA date is a date.`),
    assistant('a4', 'The time zone offset is applied twice in parseDate; I will fix it.'),
  ]);
}

test('search: ranked by BM25 with a phrase bonus, newest first on ties, limited', () => {
  const log = searchable();
  const r = searchSession(log, 'time zone offset');
  assert.deepEqual(r.terms, ['time', 'zone', 'offset']);
  assert.ok(r.hits.length >= 3);
  // The two passages holding the whole phrase come first: the short assistant message (BM25 favours short passages) and the test output.
  assert.deepEqual(r.hits.slice(0, 2).map((h) => h.doc.messageId).sort(), ['a4', 't2']);
  for (let i = 1; i < r.hits.length; i++) assert.ok(r.hits[i - 1]!.score >= r.hits[i]!.score, 'sorted by score');
  assert.equal(searchSession(log, 'time zone offset', { limit: 1 }).hits.length, 1);
  // Deterministic.
  assert.deepEqual(searchSession(log, 'time zone offset').hits.map((h) => h.score), r.hits.map((h) => h.score));
  // A rarer term outweighs a common one: "parseDate" is in three passages, "FAIL" in one.
  assert.equal(searchSession(log, 'FAIL').hits[0]?.doc.messageId, 't2');
  assert.equal(searchSession(log, 'nothing-like-this-xyzzy').hits.length, 0);
});

test('search: identifiers match by their parts and whole', () => {
  const log = searchable();
  const whole = searchSession(log, 'parseDate').hits.map((h) => h.doc.messageId);
  assert.ok(whole.includes('t1') && whole.includes('u1') && whole.includes('a4'));
  assert.deepEqual(termsOf('parseISODate2 snake_case'), ['parseisodate2', 'parse', 'iso', 'date2', 'snake_case', 'snake', 'case']);
  const parts = searchSession(log, 'parse date').hits.map((h) => h.doc.messageId);
  assert.ok(parts.includes('t1'), 'the words find the identifier');
});

test('search: snippets show the matches, and a tool-result hit names its recall id', () => {
  const log = searchable();
  const hit = searchSession(log, 'parseDate').hits.find((h) => h.doc.messageId === 't1')!;
  assert.equal(hit.doc.callId, 'c1');
  assert.ok(hit.snippets.some((s) => s.includes('export function parseDate(s: string)')), hit.snippets.join(' | '));
  assert.ok(hit.snippets.every((s) => s.length <= 2 * 120 + 2), 'a snippet is a window, not the whole 4,000-character result');
  const text = formatSearch(searchSession(log, 'parseDate'));
  assert.match(text, /tool result of read_file \{"path":"src\/date\.ts"\} — recall id "c1" \(message t1, in your context\)/);
  // Windows around distinct terms, merged when they overlap.
  assert.deepEqual(snippetsOf('alpha beta gamma', ['alpha', 'gamma']), ['alpha beta gamma']);
});

test('search: the answer stays within its character budget however many hits there are', () => {
  const records: SessionLog['records'] = [user('u0', 'start')];
  for (let i = 0; i < 60; i++) {
    records.push(call(`a${i}`, `c${i}`, 'bash', { command: `run ${i}` }));
    records.push(result(`t${i}`, `c${i}`, 'bash', `${filler(500, 'pad')} widget failure number ${i} ${filler(500, 'pad')}`));
  }
  const log = session(records);
  for (const maxChars of [300, 1_000, 8_000]) {
    const text = formatSearch(searchSession(log, 'widget failure', { limit: 20 }), maxChars);
    assert.ok(text.length <= maxChars, `${text.length} > ${maxChars}`);
    assert.match(text, /recall id "c\d+"/);
  }
  const r = searchSession(log, 'widget failure', { limit: 50 });
  assert.equal(r.hits.length, 20, 'the limit is capped');
  assert.equal(r.matched, 60);
});

test('search in time slices gives the same answer as in one go, yielding between passages', async () => {
  const log = searchable();
  let turns = 0;
  let now = 0;
  const slicer = createTimeSlicer({ budgetMs: 1, now: () => (now += 1), turn: async () => void turns++ });
  const sliced = await searchSessionInSlices(log, 'time zone', {}, slicer);
  assert.ok(turns > 0, 'the event loop got turns');
  assert.deepEqual(sliced.hits.map((h) => [h.doc.messageId, h.score]), searchSession(log, 'time zone').hits.map((h) => [h.doc.messageId, h.score]));
});

test('answerRecall: exactly one of id or query; bad input gets a clear error', async () => {
  const log = searchable();
  const both = await answerRecall(log, { id: 'c1', query: 'x' });
  assert.equal(both.ok, false);
  assert.match(!both.ok ? both.error : '', /exactly one of "id" or "query"/);
  const none = await answerRecall(log, {});
  assert.equal(none.ok, false);
  const badLimit = await answerRecall(log, { query: 'x', limit: 0 });
  assert.match(!badLimit.ok ? badLimit.error : '', /limit/);
  const byId = await answerRecall(log, { id: 'c2' });
  assert.ok(byId.ok && byId.found && byId.text.endsWith('time zone offset +02:00 applied twice'));
  const byQuery = await answerRecall(log, { query: 'offset', limit: 2 });
  assert.ok(byQuery.ok && byQuery.found && byQuery.kind === 'query');
});

test('stubs name their recall id: aged-out results and collapsed repeated reads', () => {
  const content = filler(1_200, 'body');
  const log = repeatedRead(content);
  const after = compacted(log, 'mask', 100_000, 5);
  assert.match(stubOf(after, 't1'), /superseded: .*Recall it with compactor_recall, recall id "r1"\]$/);
  assert.equal(recallById(after, 'r1').status === 'found' && (recallById(after, 'r1') as { text: string }).text, content);
});

test('extractive summaries say earlier details can be recalled (when they have room for the line)', () => {
  const messages = codingSession(6, 800).records.filter((r) => r.type === 'message');
  const roomy = extractiveSummary({ messages }, { budgetTokens: 2_000, counter: estimate });
  assert.match(roomy.split('\n')[1] ?? '', /Earlier details \(tool outputs, files, messages\) can be recalled with compactor_recall by id or search\.$/);
  const tiny = extractiveSummary({ messages }, { budgetTokens: 300, counter: estimate });
  assert.doesNotMatch(tiny, /compactor_recall/, 'a tiny summary keeps its tokens for the requests');
  // A summary of a summary says it once.
  const again = extractiveSummary({ messages: messages.slice(-6), previousSummary: roomy }, { budgetTokens: 2_000, counter: estimate });
  assert.equal(again.match(/compactor_recall/g)?.length, 1);
});

test('search leaves out the results of recall itself (copies of passages already searched)', () => {
  const log = session([
    user('u1', 'what did the test say'),
    call('a1', 'c1', 'bash', { command: 'npm test' }),
    result('t1', 'c1', 'bash', 'FAIL: widget exploded'),
    call('a2', 'c2', 'compactor_recall', { query: 'widget' }),
    result('t2', 'c2', 'compactor_recall', 'Recall search for "widget": … FAIL: widget exploded'),
  ]);
  const ids = searchSession(log, 'widget exploded').hits.map((h) => h.doc.messageId);
  assert.ok(ids.includes('t1') && !ids.includes('t2'), ids.join());
  assert.equal(recallById(log, 'c2').status, 'found', 'by id it is still there');
});

test('recall-aware masking: in a one-request agent run, results older than the last N tool rounds are masked too', () => {
  const records: SessionLog['records'] = [user('u1', 'fix the bug')];
  for (let i = 1; i <= 10; i++) {
    records.push(call(`a${i}`, `c${i}`, 'bash', { command: `step ${i}` }));
    records.push(result(`t${i}`, `c${i}`, 'bash', filler(2_000, `out${i}`)));
  }
  const ctx = contextOf(session(records));
  const plain = maskToolResults(ctx, { maskAfterTurns: 3, counter: estimate });
  assert.equal(plain.masked, 0, 'one turn: the age rule never reaches it');
  const aware = maskToolResults(ctx, { maskAfterTurns: 3, maskAfterRounds: 4, counter: estimate });
  assert.deepEqual(aware.replaced.map((r) => r.messageId), ['t1', 't2', 't3', 't4', 't5', 't6'], 'all but the last 4 rounds');
  const text = aware.replaced[0]!.parts[0]!;
  assert.match(text.type === 'tool_result' ? text.text : '', /recall id "c1"/);
  // Through the planner: the option is off unless asked for.
  const log = session(records);
  const off = compact(log, { source: 'manual', strategy: 'mask', targetTokens: 100_000, counter: estimate, clock: fakeClock() });
  assert.equal(off.status, 'nothing_to_compact');
  const on = compact(log, { source: 'manual', strategy: 'mask', targetTokens: 100_000, counter: estimate, clock: fakeClock(), recallAwareMasking: true });
  assert.equal(on.status === 'compacted' && on.record.tiers[0]?.count, 10 - RECALL_AWARE_MASK_AFTER_ROUNDS);
});
