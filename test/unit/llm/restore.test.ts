import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LlmCompactOptions, summarizeCompaction } from '../../../src/compaction/llm/pipeline';
import { DEFAULT_RESTORE_LIMITS, readPaths, restoreFiles, todoAttachment } from '../../../src/compaction/llm/restore';
import type { FileReader } from '../../../src/compaction/llm/summarizer';
import type { MessageRecord } from '../../../src/compaction/records';
import { assistant, call, estimate, fakeClock, filler, result, session, user } from '../compaction/fixtures';
import { instantSleep, modelAnswer, scripted } from './helpers';

/** A reader over a map; paths it does not hold no longer exist. Remembers what was read. */
function mapReader(files: Record<string, string>): FileReader & { reads: string[] } {
  const reads: string[] = [];
  return { reads, read: async (path) => (reads.push(path), files[path]) };
}

const bigFile = (name: string) => filler(30_000, name); // ≈ 7,500 estimated tokens: over the 5,000 per-file limit

test('readPaths: read-like calls newest first, each path once, failed reads and other tools left out', () => {
  const msgs: MessageRecord[] = [
    call('a1', 'c1', 'read_file', { path: 'src/a.ts' }), result('t1', 'c1', 'read_file', 'a'),
    call('a2', 'c2', 'bash', { command: 'cat src/z.ts' }), result('t2', 'c2', 'bash', 'z'),
    call('a3', 'c3', 'view', { filePath: 'src/b.ts' }), result('t3', 'c3', 'view', 'b'),
    call('a4', 'c4', 'read_file', { path: 'src/gone.ts' }), result('t4', 'c4', 'read_file', 'ENOENT', true),
    call('a5', 'c5', 'read_file', { path: 'src/a.ts' }), result('t5', 'c5', 'read_file', 'a'),
  ];
  assert.deepEqual(readPaths(msgs), ['src/a.ts', 'src/b.ts']);
});

test('restoreFiles: at most 5 files, each cut to 5,000 tokens, newest first, missing files skipped', async () => {
  const paths = Array.from({ length: 8 }, (_, i) => `f${i}.ts`);
  const reader = mapReader(Object.fromEntries(paths.filter((p) => p !== 'f1.ts').map((p) => [p, bigFile(p)])));
  const out = await restoreFiles(paths, reader, estimate, 1_000_000);
  assert.deepEqual(out.map((a) => a.path), ['f0.ts', 'f2.ts', 'f3.ts', 'f4.ts', 'f5.ts']);
  for (const a of out) {
    assert.ok(a.tokens <= 5_000, `${a.path}: ${a.tokens}`);
    assert.ok(a.tokens > 4_000, `${a.path} uses its budget: ${a.tokens}`);
    assert.equal(a.tokens, estimate.countParts([{ type: 'text', text: a.text }]));
    assert.match(a.text, /cut to the first/);
  }
  assert.ok(!reader.reads.includes('f7.ts'), 'stops reading once 5 files are restored');
});

test('restoreFiles: the total stays within 50,000 tokens and within the room the target leaves', async () => {
  const paths = Array.from({ length: 20 }, (_, i) => `f${i}.ts`);
  const reader = mapReader(Object.fromEntries(paths.map((p) => [p, bigFile(p)])));
  const many = await restoreFiles(paths, reader, estimate, 1_000_000, { ...DEFAULT_RESTORE_LIMITS, maxFiles: 20 });
  const total = many.reduce((s, a) => s + a.tokens, 0);
  assert.ok(total <= 50_000, `total ${total}`);
  assert.ok(many.length >= 10, `${many.length} files`);
  assert.ok(50_000 - total < Math.min(...many.map((a) => a.tokens)), 'the total, not the file count, stopped it');
  const tight = await restoreFiles(paths, reader, estimate, 12_000);
  assert.equal(tight.length, 2);
  assert.ok(tight.reduce((s, a) => s + a.tokens, 0) <= 12_000);
  assert.deepEqual(await restoreFiles(paths, reader, estimate, 0), []);
});

test('restoreFiles: a reader that throws skips that file', async () => {
  const reader: FileReader = { read: async (p) => { if (p === 'bad.ts') throw new Error('EACCES'); return 'ok'; } };
  const out = await restoreFiles(['bad.ts', 'good.ts'], reader, estimate, 10_000);
  assert.deepEqual(out.map((a) => a.path), ['good.ts']);
});

test('todoAttachment: the latest todo call of the summarized part, none when the tail has a newer one', () => {
  const older = [call('a1', 'c1', 'todo_write', { todos: ['OLD-ITEM'] }), call('a2', 'c2', 'todo_write', { todos: ['parse', 'NEW-ITEM'] })];
  const a = todoAttachment(older, [], estimate);
  assert.ok(a && a.text.includes('NEW-ITEM') && !a.text.includes('OLD-ITEM'), a?.text);
  assert.equal(todoAttachment(older, [call('a3', 'c3', 'manage_todo_list', { todos: [] })], estimate), undefined);
  assert.equal(todoAttachment([call('a1', 'c1', 'bash', { command: 'ls' })], [], estimate), undefined);
});

test('pipeline: after a summary the recently read files that still exist and the todo state are re-attached within budget', async () => {
  // 8 turns; each reads src/f<t>.ts (a 16,000-char result ≈ 4,000 tokens): ≈ 33,000 tokens. Turn 3 also updates a todo list.
  const records: MessageRecord[] = [];
  for (let t = 1; t <= 8; t++) {
    records.push(user(`u${t}`, `Request ${t}: look at src/f${t}.ts`));
    records.push(call(`a${t}`, `c${t}`, 'read_file', { path: `src/f${t}.ts` }));
    records.push(result(`t${t}`, `c${t}`, 'read_file', filler(16_000, `f${t}`)));
    if (t === 3) records.push(call(`td${t}`, `ctd${t}`, 'todo_write', { todos: ['TODO-PARSER', 'TODO-TESTS'] }), result(`tdr${t}`, `ctd${t}`, 'todo_write', 'ok'));
    records.push(assistant(`b${t}`, `Looked at f${t}.`));
  }
  const log = session(records, 'You are a coding agent.');
  const files = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`src/f${i + 1}.ts`, bigFile(`f${i + 1}`)]));
  delete files['src/f7.ts']; // deleted since it was read
  const reader = mapReader(files);
  const options: LlmCompactOptions = {
    source: 'manual', summarizer: scripted([modelAnswer()]), counter: estimate, clock: fakeClock(), signal: new AbortController().signal,
    targetTokens: 40_000, summarizerMaxInputTokens: 200_000, keepTailTurns: 1, sleep: instantSleep(), fileReader: reader,
    attachments: [{ path: 'hook-note', text: 'HOOK ATTACHMENT', tokens: 10 }],
  };
  const r = await summarizeCompaction(log, options);
  assert.equal(r.status, 'compacted', r.report.reason);
  if (r.status !== 'compacted') return;
  const paths = r.record.attachments.map((a) => a.path);
  assert.deepEqual(paths, ['(todo: todo_write)', 'src/f6.ts', 'src/f5.ts', 'src/f4.ts', 'src/f3.ts', 'src/f2.ts', 'hook-note'], 'todo, then 5 files newest first (f8 is in the tail, f7 is gone), then the hooks');
  assert.ok(!reader.reads.includes('src/f8.ts'), 'a file read in the kept tail is not re-read');
  const fileTokens = r.record.attachments.filter((a) => a.path.startsWith('src/')).map((a) => a.tokens);
  assert.ok(fileTokens.every((t) => t <= 5_000) && fileTokens.reduce((s, t) => s + t, 0) <= 50_000);
  assert.match(r.record.attachments[0]?.text ?? '', /TODO-PARSER/);
  assert.equal(r.report.tiers.find((t) => t.tier === 'restore')?.count, 6);
  assert.equal(r.context.filter((m) => m.kind === 'attachment').length, 7);
  assert.ok(r.report.after.tokens < r.report.before.tokens);
  assert.ok(r.report.after.tokens <= 40_000, `restore stays within the target: ${r.report.after.tokens}`);
});
