import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LogRecordSchema } from '../../../src/compaction/records';
import { SessionStore, SessionStoreError } from '../../../extension/sessions/sessionStore';
import { assistantWithTool, compaction, toolResult, userMessage, withTempDir } from './helpers';

function isStoreError(code: string) {
  return (err: unknown) => err instanceof SessionStoreError && err.code === code;
}

describe('SessionStore basics', () => {
  it('creates, appends and opens a session with every record in order', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      const created = await store.create({ id: 's1', title: 'First', systemTokens: 10 });
      assert.equal(created.header.id, 's1');
      assert.equal(created.header.v, 1);
      await store.append('s1', [userMessage('m1', 'hello', 0), assistantWithTool('m2', 0)]);
      await store.append('s1', [toolResult('m3', 'file text')]);
      const { log, warnings } = await store.open('s1');
      assert.deepEqual(warnings, []);
      assert.equal(log.header.title, 'First');
      assert.deepEqual(
        log.records.map((r) => r.id),
        ['m1', 'm2', 'm3'],
      );
      const raw = await readFile(join(dir, 's1.jsonl'), 'utf8');
      assert.ok(raw.endsWith('\n'));
      assert.equal(raw.trim().split('\n').length, 4);
    }));

  it('generates an id when none is given and refuses to create an existing id', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir, { newId: () => 'fixed-id' });
      const log = await store.create({});
      assert.equal(log.header.id, 'fixed-id');
      await assert.rejects(store.create({ id: 'fixed-id' }), isStoreError('exists'));
      // The existing log was not overwritten.
      await store.append('fixed-id', [userMessage('m1', 'kept')]);
      assert.equal((await store.open('fixed-id')).log.records.length, 1);
    }));

  it('rejects ids that could escape the folder', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await assert.rejects(store.create({ id: '../evil' }), isStoreError('invalid_id'));
      await assert.rejects(store.open('a/b'), isStoreError('invalid_id'));
      await assert.rejects(store.append('..', [userMessage('m', 'x')]), isStoreError('invalid_id'));
    }));

  it('rejects a batch with one invalid record and writes nothing', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's1' });
      const before = await readFile(join(dir, 's1.jsonl'), 'utf8');
      const bad = { ...userMessage('m2', 'x'), tokens: -1 } as never;
      await assert.rejects(store.append('s1', [userMessage('m1', 'ok'), bad]), isStoreError('invalid_record'));
      const header = { type: 'session', v: 1, id: 'x', createdAt: 'now' } as never;
      await assert.rejects(store.append('s1', [header]), isStoreError('invalid_record'));
      assert.equal(await readFile(join(dir, 's1.jsonl'), 'utf8'), before);
    }));

  it('refuses to append to a session that does not exist, without creating a file', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await assert.rejects(store.append('ghost', [userMessage('m1', 'x')]), isStoreError('not_found'));
      assert.ok(!(await readdir(dir)).includes('ghost.jsonl'));
    }));

  it('lists summaries newest first with counts, tokens and derived titles', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 'old', systemTokens: 10 });
      await store.append('old', [userMessage('m1', 'How do I parse JSONL?\nmore', 0, 7)]);
      await store.create({ id: 'new', title: 'Named' });
      await store.append('new', [userMessage('n1', 'a', 0, 5), userMessage('n2', 'b', 1, 5)]);
      const { sessions, quarantined } = await store.list();
      assert.deepEqual(quarantined, []);
      assert.deepEqual(
        sessions.map((s) => [s.id, s.title, s.messageCount, s.tokens]),
        [
          ['new', 'Named', 2, 10],
          ['old', 'How do I parse JSONL?', 1, 17],
        ],
      );
    }));

  it('counts context tokens from the newest non-reverted compaction', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's', systemTokens: 10 });
      await store.append('s', [userMessage('m1', 'a', 0, 50), userMessage('m2', 'b', 1, 50)]);
      await store.append('s', [compaction('c1', ['m1'], 40), userMessage('m3', 'c', 2, 5)]);
      assert.equal((await store.list()).sessions[0]?.tokens, 45);
      await store.append('s', [{ type: 'revert', id: 'r1', at: '2025-03-02T00:00:00.000Z', compactionId: 'c1' }]);
      assert.equal((await store.list()).sessions[0]?.tokens, 115);
    }));

  it('keeps list() correct across appends by reading only new bytes, and across a fresh store', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's' });
      await store.append('s', [userMessage('m1', 'a')]);
      assert.equal((await store.list()).sessions[0]?.messageCount, 1);
      await store.append('s', [userMessage('m2', 'b'), userMessage('m3', 'c')]);
      assert.equal((await store.list()).sessions[0]?.messageCount, 3);
      // Another window (another store instance) appends, then a third one lists from the disk cache.
      await new SessionStore(dir).append('s', [userMessage('m4', 'd')]);
      assert.equal((await store.list()).sessions[0]?.messageCount, 4);
      assert.equal((await new SessionStore(dir).list()).sessions[0]?.messageCount, 4);
      assert.ok((await readdir(dir)).includes('summaries.cache.json'));
    }));

  it('renames through index.json without touching the log, and the title shows everywhere', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's', title: 'Before' });
      await store.append('s', [userMessage('m1', 'hi')]);
      const logBefore = await readFile(join(dir, 's.jsonl'), 'utf8');
      await store.rename('s', '  After   rename ');
      assert.equal(await readFile(join(dir, 's.jsonl'), 'utf8'), logBefore);
      assert.equal((await store.list()).sessions[0]?.title, 'After rename');
      assert.equal((await store.open('s')).log.header.title, 'After rename');
      const exported = await store.exportJsonl('s');
      assert.equal(JSON.parse(exported.split('\n')[0] ?? '').title, 'After rename');
      assert.equal(exported.split('\n')[1], logBefore.split('\n')[1]);
      await assert.rejects(store.rename('s', '   '), isStoreError('invalid_title'));
      await assert.rejects(store.rename('missing', 'x'), isStoreError('not_found'));
    }));

  it('deletes a session and its title', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 'a' });
      await store.create({ id: 'b' });
      await store.rename('a', 'Doomed');
      await store.delete('a');
      assert.deepEqual(
        (await store.list()).sessions.map((s) => s.id),
        ['b'],
      );
      assert.ok(!(await readFile(join(dir, 'index.json'), 'utf8')).includes('Doomed'));
      await assert.rejects(store.open('a'), isStoreError('not_found'));
      await assert.rejects(store.delete('a'), isStoreError('not_found'));
      assert.ok(!(await readdir(dir)).some((n) => n.endsWith('.lock')));
    }));

  it('exports JSONL that parses line by line', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's' });
      await store.append('s', [userMessage('m1', 'hi'), assistantWithTool('m2')]);
      const lines = (await store.exportJsonl('s')).trimEnd().split('\n');
      assert.equal(lines.length, 3);
      for (const line of lines) assert.ok(LogRecordSchema.safeParse(JSON.parse(line)).success, line);
    }));

  it('exports readable Markdown with roles, tool calls in code blocks and compactions', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's', title: 'Debugging', model: { id: 'gpt-4o', vendor: 'copilot' } });
      await store.append('s', [
        userMessage('m1', 'Why does ```this``` fail?', 0),
        assistantWithTool('m2', 0),
        toolResult('m3', 'export const a = 1;'),
        compaction('c1', ['m1'], 30),
      ]);
      const md = await store.exportMarkdown('s');
      assert.match(md, /^# Debugging\n/);
      assert.match(md, /- Model: gpt-4o \(copilot\)/);
      assert.match(md, /### User · turn 0 · 5 tokens\n\n<sub>[^<]+<\/sub>\n\nWhy does ```this``` fail\?/);
      assert.match(md, /### Assistant/);
      assert.match(md, /\*\*Tool call\*\* `read_file`[^\n]*\n\n```json\n\{\n {2}"path": "src\/a.ts"\n\}\n```/);
      assert.match(md, /<summary>Result of read_file for call-1 · 19 chars<\/summary>\n\n```\nexport const a = 1;\n```/);
      assert.match(md, /<summary>Thinking<\/summary>\n\n> look at the file/);
      assert.match(md, /\*\*Compaction\*\* `c1` \(manual, extractive\)/);
      assert.match(md, /<details><summary>Summary<\/summary>\n\nThe user asked about a.ts./);
    }));
});

describe('SessionStore crash safety', () => {
  it('skips a torn last line with a warning, and the next append does not glue onto it', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's' });
      await store.append('s', [userMessage('m1', 'whole')]);
      const path = join(dir, 's.jsonl');
      await appendFile(path, '{"type":"message","id":"m2","at":"2025-'); // crash mid-write
      const opened = await store.open('s');
      assert.deepEqual(
        opened.log.records.map((r) => r.id),
        ['m1'],
      );
      assert.equal(opened.warnings.length, 1);
      assert.match(opened.warnings[0] ?? '', /incomplete last line/);
      assert.equal((await store.list()).sessions[0]?.messageCount, 1);

      const { warnings } = await store.append('s', [userMessage('m3', 'after crash')]);
      assert.match(warnings[0] ?? '', /cut off an incomplete last line/);
      const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
      for (const line of lines) assert.ok(LogRecordSchema.safeParse(JSON.parse(line)).success, line);
      const reopened = await store.open('s');
      assert.deepEqual(reopened.warnings, []);
      assert.deepEqual(
        reopened.log.records.map((r) => r.id),
        ['m1', 'm3'],
      );
      assert.equal((await store.list()).sessions[0]?.messageCount, 2);
      // The fragment is kept for forensics.
      const saved = await readdir(join(dir, 'quarantine'));
      assert.equal(saved.filter((n) => n.startsWith('s.jsonl.torn.')).length, 1);
    }));

  it('keeps a whole last record that only lacks its newline, and appends after it on a new line', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's' });
      const path = join(dir, 's.jsonl');
      await appendFile(path, JSON.stringify(userMessage('m1', 'no newline')));
      assert.deepEqual((await store.open('s')).warnings, []);
      await store.append('s', [userMessage('m2', 'next')]);
      const { log, warnings } = await store.open('s');
      assert.deepEqual(warnings, []);
      assert.deepEqual(
        log.records.map((r) => r.id),
        ['m1', 'm2'],
      );
    }));

  it('skips an invalid line in the middle (kept on disk), loads every good record around it and says so once (issue 16)', () =>
    withTempDir(async (dir) => {
      // Before: the whole session was moved to quarantine, b1 and b3 with it.
      const store = new SessionStore(dir);
      await store.create({ id: 'good' });
      await store.append('good', [userMessage('g1', 'fine')]);
      await store.create({ id: 'bad' });
      await store.append('bad', [userMessage('b1', 'one')]);
      await appendFile(join(dir, 'bad.jsonl'), '{"type":"message","id":"b2"}\n');
      await store.append('bad', [userMessage('b3', 'three')]);
      const before = await readFile(join(dir, 'bad.jsonl'), 'utf8');

      const listing = await store.list();
      assert.deepEqual(listing.sessions.map((s) => s.id).sort(), ['bad', 'good']);
      assert.deepEqual(listing.quarantined, []);
      assert.equal(listing.sessions.find((s) => s.id === 'bad')?.messageCount, 2);
      const opened = await store.open('bad');
      assert.deepEqual(opened.log.records.map((r) => r.id), ['b1', 'b3'], 'every acknowledged record survives');
      assert.equal(opened.warnings.length, 1, 'one summary warning');
      assert.match(opened.warnings[0] ?? '', /skipped 1 unreadable line \(line 3: .*\); kept in the file/);
      assert.equal(await readFile(join(dir, 'bad.jsonl'), 'utf8'), before, 'the file is not rewritten');
      // Appending after the skipped line keeps every new line readable.
      await store.append('bad', [userMessage('b4', 'four')]);
      assert.deepEqual((await store.open('bad')).log.records.map((r) => r.id), ['b1', 'b3', 'b4']);
      assert.ok(!(await readdir(dir)).includes('quarantine'));
      // The export leaves the unreadable line out, so it is valid JSONL.
      const exported = await store.exportJsonl('bad');
      for (const line of exported.trimEnd().split('\n')) assert.ok(LogRecordSchema.safeParse(JSON.parse(line)).success, line);
    }));

  it('notices a bad line appended after list() cached a log: skipped, reported, not quarantined', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's' });
      await store.append('s', [userMessage('m1', 'a')]);
      assert.equal((await store.list()).sessions.length, 1);
      await appendFile(join(dir, 's.jsonl'), '{"type":"revert"}\n');
      await store.append('s', [userMessage('m2', 'b')]);
      const listing = await store.list();
      assert.equal(listing.sessions[0]?.messageCount, 2);
      assert.deepEqual(listing.quarantined, []);
      assert.match(listing.warnings.join('\n'), /s: skipped 1 unreadable line/);
    }));

  it('a log whose first line is not a readable header is quarantined (kept, never deleted) and reported', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's' });
      const path = join(dir, 's.jsonl');
      const body = `not json\n${JSON.stringify(userMessage('m1', 'x'))}\n`;
      await writeFile(path, body);
      await assert.rejects(
        store.open('s'),
        (err: unknown) => err instanceof SessionStoreError && err.code === 'corrupt' && err.details.quarantine?.id === 's',
      );
      const saved = await readdir(join(dir, 'quarantine'));
      assert.equal(await readFile(join(dir, 'quarantine', saved[0] ?? ''), 'utf8'), body, 'kept byte for byte');
    }));

  it('treats a missing header as corruption', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 'ok' });
      await writeFile(join(dir, 'headless.jsonl'), `${JSON.stringify(userMessage('m1', 'x'))}\n`);
      await writeFile(join(dir, 'empty.jsonl'), '');
      const listing = await store.list();
      assert.deepEqual(
        listing.sessions.map((s) => s.id),
        ['ok'],
      );
      assert.deepEqual(listing.quarantined.map((q) => q.id).sort(), ['empty', 'headless']);
      assert.ok(listing.quarantined.every((q) => /header is missing/.test(q.reason)));
    }));

  it('survives an unreadable index.json: titles fall back and a rename repairs it', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(dir);
      await store.create({ id: 's', title: 'From header' });
      await writeFile(join(dir, 'index.json'), '{ torn');
      const listing = await store.list();
      assert.equal(listing.sessions[0]?.title, 'From header');
      assert.match(listing.warnings.join('\n'), /index\.json is unreadable/);
      await store.rename('s', 'Fixed');
      assert.equal((await store.list()).sessions[0]?.title, 'Fixed');
    }));
});
