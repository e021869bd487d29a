// The shipped artefact: builds dist/server.js with the project's build
// (esbuild.mjs, as CI does from a clean clone), copies it with its tokenizer
// assets to a folder with no node_modules above it (as in the installed
// .vsix), and checks that it starts, counts with the real tokenizer from the
// brotli assets and compacts.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CompactRequest, CountRequest } from '../../src/compaction/server/requests';
import { buildBundle, ROOT, type ServerHandle, startServer } from './serverProcess';
import { codingSession } from './sessions';

let server: ServerHandle;
let installed: string;

before(
  () => {
    buildBundle();
    installed = mkdtempSync(join(tmpdir(), 'compactor-server-'));
    cpSync(join(ROOT, 'dist', 'server.js'), join(installed, 'server.js'));
    cpSync(join(ROOT, 'dist', 'tiktoken'), join(installed, 'tiktoken'), { recursive: true });
    server = startServer('bundle', join(installed, 'server.js'));
  },
  { timeout: 180_000 },
);
after(async () => {
  await server?.stop();
  if (installed) rmSync(installed, { recursive: true, force: true });
});

describe('dist/server.js, installed without node_modules', () => {
  it('initializes and counts "hello world" as 2 o200k_base tokens from the shipped assets', async () => {
    const init = await server.initialize();
    assert.equal(init.serverInfo?.name, 'context-compactor-engine');
    const r = await server.connection.sendRequest(CountRequest, { model: 'gpt-4o', texts: ['hello world'] });
    assert.deepEqual(r, { encoding: 'o200k_base', estimated: false, texts: [2], messages: [] });
    const gpt4 = await server.connection.sendRequest(CountRequest, { model: 'gpt-4', texts: ['hello world'] });
    assert.equal(gpt4.encoding, 'cl100k_base');
    assert.equal(gpt4.estimated, false);
    assert.equal(server.logs.some((l) => /could not load/.test(l.message)), false, 'no fallback to the estimate');
  });

  it('compacts a session', async () => {
    const r = await server.connection.sendRequest(CompactRequest, { log: codingSession(), source: 'manual' });
    assert.equal(r.status, 'compacted');
    assert.ok(r.report.after.tokens < r.report.before.tokens);
  });
});
