// compaction/import over real JSON-RPC: the server reads a transcript file,
// imports it and counts it with its tokenizer; files it cannot read or import
// are typed EngineErrors whose `data.reason` is the problem in words.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importSession } from '../../src/compaction/importers/session';
import { EngineErrorCodes, IMPORT_PAGE_CHARS, Methods } from '../../src/compaction/protocol';
import { type BodyRecord, BodyRecordSchema, type ModelInfo } from '../../src/compaction/records';
import { recordPages } from '../../src/compaction/server/handlers';
import { ImportRecordsProgress, ImportRequest } from '../../src/compaction/server/requests';
import { createTokenCounter } from '../../src/compaction/tokens/counter';
import { rejection, type ServerHandle, startServer } from './serverProcess';
import { counter } from './sessions';

let server: ServerHandle;
let dir: string;

before(async () => {
  server = startServer('source');
  await server.initialize();
  dir = await mkdtemp(join(tmpdir(), 'compactor-import-'));
});
after(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

/** An OpenAI chat transcript (one JSON document): system prompt, a tool round, an answer; 5 messages, one of them malformed. */
const OPENAI = {
  messages: [
    { role: 'system', content: 'You are a careful coding agent.' },
    { role: 'user', content: '**Fix** the failing test in `src/parser.ts`\nIt fails on empty input.' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"src/parser.ts"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'export function parse(s: string) { return s.split(","); }' },
    { role: 'narrator', content: 'not a role OpenAI knows' },
    { role: 'assistant', content: 'Fixed: parse("") now returns [].' },
  ],
};
const GPT4O: ModelInfo = { id: 'gpt-4o', family: 'gpt-4o', vendor: 'test', maxInputTokens: 128_000 };

describe('compaction/import', () => {
  it('imports an OpenAI transcript counted with the tokenizer of the fallback model, as the engine does in process', async () => {
    const path = join(dir, 'chat.json');
    const text = JSON.stringify(OPENAI);
    await writeFile(path, text);
    const r = await server.connection.sendRequest(ImportRequest, { path, model: GPT4O });
    assert.equal(r.encoding, 'o200k_base');
    assert.equal(r.estimated, false);
    assert.equal(r.header.title, 'Fix the failing test in src/parser.ts', 'the first line of the first request, without Markdown marks');
    assert.deepEqual(r.header.model, GPT4O, 'the transcript names no model: the fallback');
    assert.equal(r.header.importedFrom, 'openai');
    assert.equal(r.header.systemPrompt, 'You are a careful coding agent.');
    assert.deepEqual(r.warnings.map((w) => w.line), [0], 'the unknown role is skipped with a warning');
    const messages = r.records.filter((m) => m.type === 'message');
    assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant', 'tool', 'assistant']);
    for (const m of messages) {
      BodyRecordSchema.parse(m);
      assert.equal(m.tokens, counter.countParts(m.parts), `${m.id} counted with o200k_base`);
      assert.equal(m.encoding, 'o200k_base');
    }
    const here = importSession(text, { fileName: 'chat.json', fallbackModel: GPT4O, counterFor: () => counter });
    assert.deepEqual(r.records, here.log.records, 'the same records as the engine in process');
    assert.deepEqual(r.header, here.log.header);
  });

  it('sends the records as partial results in pages when asked, in order, and an empty records list in the result', async () => {
    // ~400 KB of messages: several pages of IMPORT_PAGE_CHARS.
    const messages = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 ? { role: 'user', content: `Request ${i}: ${'explain the parser again '.repeat(40)}` } : { role: 'assistant', content: `Answer ${i}: ${'the parser splits on commas '.repeat(60)}` },
    );
    const path = join(dir, 'long.json');
    await writeFile(path, JSON.stringify({ messages }));
    const whole = await server.connection.sendRequest(ImportRequest, { path, model: GPT4O });
    const pages: BodyRecord[][] = [];
    const token = 'import-1';
    const progress = server.connection.onProgress(ImportRecordsProgress, token, (page) => void pages.push(page));
    try {
      const paged = await server.connection.sendRequest(ImportRequest, { path, model: GPT4O, partialResultToken: token });
      assert.deepEqual(paged.records, []);
      assert.deepEqual({ ...paged, records: whole.records }, whole, 'the rest of the result is the same');
    } finally {
      progress.dispose();
    }
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    for (const page of pages.slice(0, -1)) assert.ok(JSON.stringify(page).length <= IMPORT_PAGE_CHARS + 2_000, 'each page about IMPORT_PAGE_CHARS');
    assert.deepEqual(pages.flat(), whole.records, 'the pages, in order, are the records');
  });

  it('picks the encoding from the model (gpt-4: cl100k_base) and names the file when there is no request to name it', async () => {
    const path = join(dir, 'answers-only.jsonl');
    const lines = ['Hello there, how can I help?', 'Still here when you need me.'].map((content) => JSON.stringify({ role: 'assistant', content }));
    await writeFile(path, `${lines.join('\n')}\n`);
    const r = await server.connection.sendRequest(ImportRequest, { path, model: { id: 'gpt-4', family: 'gpt-4' } });
    assert.equal(r.encoding, 'cl100k_base');
    assert.equal(r.header.title, 'Imported: answers-only.jsonl');
    const cl100k = createTokenCounter({ encoding: 'cl100k_base' });
    assert.equal(r.records.length, 2);
    for (const m of r.records) {
      assert.ok(m.type === 'message');
      assert.equal(m.tokens, cl100k.countParts(m.parts));
    }
  });

  it('answers a file that is no transcript with EngineError invalid_transcript and the reason in words', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'just some notes\nnot a transcript\n');
    const err = await rejection(server.connection.sendRequest(ImportRequest, { path }));
    assert.equal(err.code, EngineErrorCodes.EngineError);
    const data = err.data as { kind: string; status: string; reason?: string };
    assert.equal(data.kind, 'EngineError');
    assert.equal(data.status, 'invalid_transcript');
    assert.match(data.reason ?? '', /^notes\.txt: cannot tell the transcript format/);
    assert.match(err.message, /^compaction\/import: invalid_transcript: notes\.txt: /);

    const empty = join(dir, 'empty.json');
    await writeFile(empty, '  \n');
    const emptyErr = await rejection(server.connection.sendRequest(ImportRequest, { path: empty }));
    assert.equal((emptyErr.data as { reason?: string }).reason, 'empty.json: the file is empty');
  });

  it('answers a missing file or a folder with EngineError unreadable, then keeps answering', async () => {
    const missing = join(dir, 'gone.json');
    const err = await rejection(server.connection.sendRequest(ImportRequest, { path: missing }));
    assert.equal(err.code, EngineErrorCodes.EngineError);
    assert.equal((err.data as { status: string }).status, 'unreadable');
    assert.match((err.data as { reason?: string }).reason ?? '', /ENOENT: no such file or directory/);
    const folder = await rejection(server.connection.sendRequest(ImportRequest, { path: dir }));
    assert.equal((folder.data as { status: string }).status, 'unreadable');

    const path = join(dir, 'ok.json');
    await writeFile(path, JSON.stringify(OPENAI));
    const ok = await server.connection.sendRequest(ImportRequest, { path });
    assert.equal(ok.records.length, 4);
  });

  it('pages records by their JSON size, a record over the size on a page of its own', () => {
    const record = (id: string, chars: number): BodyRecord => ({ type: 'message', id, at: 'x', role: 'user', parts: [{ type: 'text', text: 'a'.repeat(chars) }], tokens: 1, encoding: 'e' });
    const records = [record('a', 300), record('b', 300), record('c', 2_000), record('d', 100), record('e', 100)];
    const pages = recordPages(records, 1_000);
    assert.deepEqual(pages.map((p) => p.map((r) => r.id)), [['a', 'b'], ['c'], ['d', 'e']]);
    assert.deepEqual(recordPages([], 1_000), []);
  });

  it('rejects params without a path with InvalidParams naming it', async () => {
    const err = await rejection(server.connection.sendRequest(Methods.import, { path: '' }));
    assert.equal(err.code, EngineErrorCodes.InvalidParams);
    assert.match(err.message, /^compaction\/import: invalid params: path: /);
  });
});
