/**
 * The import command's work without VS Code: the server's import stored as a
 * new session, the estimate fallback while the server is unavailable (the same
 * records but for the counts), and a file the server cannot import reported
 * with its reason. The engine and the session service are fakes; the store
 * behind `createFrom` is the real one (its sliced append is tested in
 * timeSlicer.test.ts).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc';
import { EngineUnavailableError, toEngineError } from '../../../extension/serverClient/engineErrors';
import { type ImportHost, importTranscriptFile } from '../../../extension/sessions/importTranscriptFile';
import { SessionStore } from '../../../extension/sessions/sessionStore';
import { importSession } from '../../../src/compaction/importers/session';
import { EngineErrorCodes, type ImportParamsInput, type ImportResult } from '../../../src/compaction/protocol';
import type { ModelInfo, SessionLog } from '../../../src/compaction/records';
import type { TokenCounter } from '../../../src/compaction/types';
import { withTempDir } from './helpers';

const TRANSCRIPT = JSON.stringify({
  messages: [
    { role: 'user', content: '# Add a --dry-run flag to the deploy script' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{"command":"cat deploy.sh"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: '#!/bin/sh\nrsync -a dist/ host:/srv' },
    { role: 'assistant', content: 'Added --dry-run: it passes -n to rsync.' },
  ],
});
const MODEL: ModelInfo = { id: 'gpt-4o', family: 'gpt-4o', vendor: 'copilot', maxInputTokens: 128_000 };

/** A tokenizer stand-in: one token per character, so its counts differ from the estimate's. */
const perChar: TokenCounter = {
  encoding: 'o200k_base',
  estimated: false,
  countText: (t) => t.length,
  countParts: (parts) => parts.reduce((n, p) => n + ('text' in p ? p.text.length : 1), 3),
};

/** A session service over a real store: createFrom as SessionService does it (fresh id, records appended). */
function sessionsOver(store: SessionStore): ImportHost['sessions'] {
  return {
    async createFrom(source: SessionLog) {
      const { type: _t, v: _v, id: _id, createdAt: _c, ...fields } = source.header;
      const log = await store.create(fields);
      await store.append(log.header.id, source.records);
      return { header: log.header, records: [...source.records] };
    },
  };
}

function serverImporting(calls: ImportParamsInput[]): ImportHost['engine'] {
  return {
    async importTranscript(params) {
      calls.push(params);
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(params.path, 'utf8');
      const r = importSession(text, { fileName: 'chat.json', ...(params.model ? { fallbackModel: params.model } : {}), counterFor: () => perChar });
      const result: ImportResult = { header: r.log.header, records: r.log.records, warnings: r.warnings, encoding: r.encoding, estimated: r.estimated };
      return JSON.parse(JSON.stringify(result)) as ImportResult; // as it arrives over JSON-RPC
    },
  };
}

describe('importTranscriptFile', () => {
  it('stores what the server imported as a new session, counts and title included', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'chat.json');
      await writeFile(path, TRANSCRIPT);
      const store = new SessionStore(join(dir, 'sessions'), { newId: () => 'imported-1' });
      const calls: ImportParamsInput[] = [];
      const imported = await importTranscriptFile({ engine: serverImporting(calls), sessions: sessionsOver(store) }, path, MODEL);
      assert.deepEqual(calls, [{ path, model: MODEL }]);
      assert.equal(imported.estimated, false);
      assert.deepEqual(imported.warnings, []);
      assert.equal(imported.log.header.id, 'imported-1');
      assert.equal(imported.log.header.title, 'Add a --dry-run flag to the deploy script');
      const { log } = await store.open('imported-1');
      assert.deepEqual(log.header.model, MODEL);
      assert.deepEqual(log.records, imported.log.records);
      assert.equal(log.records.length, 4);
      for (const r of log.records) {
        assert.ok(r.type === 'message');
        assert.deepEqual([r.tokens, r.encoding], [perChar.countParts(r.parts), 'o200k_base'], `${r.id}: the server's count, not the estimate`);
      }
    }));

  it('imports with estimated counts, labelled, while the server is unavailable', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'chat.json');
      await writeFile(path, TRANSCRIPT);
      const down: ImportHost['engine'] = {
        importTranscript: () => Promise.reject(new EngineUnavailableError('restarting', 'The compaction engine is restarting')),
      };
      const store = new SessionStore(join(dir, 'sessions'), { newId: () => 'imported-2' });
      const imported = await importTranscriptFile({ engine: down, sessions: sessionsOver(store) }, path, MODEL);
      assert.equal(imported.estimated, true);
      const byServer = await importTranscriptFile({ engine: serverImporting([]), sessions: sessionsOver(new SessionStore(join(dir, 'other'))) }, path, MODEL);
      const strip = (l: SessionLog) => l.records.map((r) => (r.type === 'message' ? { ...r, tokens: 0, encoding: '' } : r));
      assert.deepEqual(strip(imported.log), strip(byServer.log), 'the same records but for the counts');
      assert.equal(imported.log.header.title, byServer.log.header.title);
      for (const r of (await store.open('imported-2')).log.records) assert.ok(r.type === 'message' && r.encoding === 'estimate');
    }));

  it('reports a file the server cannot import with its reason, and stores nothing', () =>
    withTempDir(async (dir) => {
      const store = new SessionStore(join(dir, 'sessions'));
      const failing: ImportHost['engine'] = {
        importTranscript: () =>
          Promise.reject(
            toEngineError(
              'compaction/import',
              new ResponseError(EngineErrorCodes.EngineError, 'compaction/import: invalid_transcript: notes.txt: cannot tell the transcript format', {
                kind: 'EngineError',
                method: 'compaction/import',
                status: 'invalid_transcript',
                reason: 'notes.txt: cannot tell the transcript format',
              }),
            ),
          ),
      };
      await assert.rejects(importTranscriptFile({ engine: failing, sessions: sessionsOver(store) }, join(dir, 'notes.txt')), {
        message: 'notes.txt: cannot tell the transcript format',
      });
      assert.deepEqual((await store.list()).sessions, []);
    }));
});
