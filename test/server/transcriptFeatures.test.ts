// Transcript language features over the real server: a session log opened
// with didOpen gets inlay hints (stored token counts), an outline, and
// diagnostics for broken lines and huge tool results.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MessageRecord } from '../../src/compaction/records';
import { type ServerHandle, startServer } from './serverProcess';
import { codingSession } from './sessions';

let server: ServerHandle;
const uri = 'file:///tmp/compactor-test/sessions/s1.jsonl';

interface Published {
  uri: string;
  diagnostics: Array<{ range: { start: { line: number } }; severity: number; message: string }>;
}

before(async () => {
  server = startServer('source');
  await server.initialize();
});
after(async () => server.stop());

function transcript(): { text: string; huge: MessageRecord } {
  const log = codingSession(1);
  const huge: MessageRecord = {
    type: 'message', id: 'big', at: '2025-01-01T00:00:00.000Z', role: 'tool', encoding: 'o200k_base', tokens: 25_000,
    parts: [{ type: 'tool_result', callId: 'c1r', name: 'read_file', text: 'x' }],
  };
  const lines = [JSON.stringify(log.header), ...log.records.map((r) => JSON.stringify(r)), JSON.stringify(huge), '{"type":"message","id":'];
  return { text: lines.join('\n'), huge };
}

describe('transcript features', () => {
  it('publishes diagnostics for a torn line and a huge tool result on open', async () => {
    const published = new Promise<Published>((resolve) => server.connection.onNotification('textDocument/publishDiagnostics', (p: Published) => resolve(p)));
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: transcript().text } });
    const p = await published;
    assert.equal(p.uri, uri);
    const byLine = p.diagnostics.map((d) => [d.range.start.line, d.severity]);
    assert.deepEqual(byLine, [[7, 2], [8, 1]], 'line 7 (huge result) warns, line 8 (torn) errs');
    assert.match(p.diagnostics[0]!.message, /25,000 tokens/);
  });

  it('shows each message line\'s stored token count as an inlay hint', async () => {
    const hints = await server.connection.sendRequest<Array<{ position: { line: number }; label: string }>>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
    const log = codingSession(1);
    const expected = log.records.map((r, i) => [i + 1, `${(r as MessageRecord).tokens.toLocaleString('en-US')} tok`]);
    assert.deepEqual(hints.slice(0, 6).map((h) => [h.position.line, h.label]), expected);
    assert.deepEqual([hints[6]?.position.line, hints[6]?.label], [7, '25,000 tok']);
    assert.equal(hints.length, 7, 'header and torn line get none');
  });

  it('outlines the session: header, then one symbol per message', async () => {
    const symbols = await server.connection.sendRequest<Array<{ name: string; detail: string }>>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols.length, 8);
    assert.equal(symbols[0]?.name, 'session server-test');
    assert.match(symbols[1]?.name ?? '', /^user: Request 1: fix the bug/);
    assert.match(symbols[2]?.name ?? '', /^assistant: read_file\(…\)/);
  });
});
