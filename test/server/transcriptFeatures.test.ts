// Transcript language features over the real server: a session log opened
// with didOpen gets inlay hints (stored token counts), an outline, hovers,
// "Compact up to / from here" lenses, and diagnostics for broken lines and
// tool results over a share of the window (an option the client can change).
// A Claude Code session gets hints (counted), outline and hovers but no
// lenses; a JSONL file that is no transcript gets nothing at all.
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

/** Resolves with the next diagnostics published for `forUri`. */
function nextDiagnostics(forUri: string): Promise<Published> {
  return new Promise<Published>((resolve) => {
    const sub = server.connection.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      if (p.uri !== forUri) return;
      sub.dispose();
      resolve(p);
    });
  });
}

interface HoverResult {
  contents: { kind: string; value: string };
  range: { start: { line: number } };
}
interface Lens {
  range: { start: { line: number } };
  command: { title: string; command: string; arguments: unknown[] };
}

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

/** A compaction of the coding session's first three messages (u1, a1a, t1a). */
const COVERING_U1_TO_T1A = {
  type: 'compaction', id: 'k1', at: '2025-01-01T00:00:01.000Z', source: 'manual', strategy: 'extractive',
  covered: ['u1', 'a1a', 't1a'], summary: 'earlier work', summaryTokens: 3, before: { tokens: 900, messages: 6 }, after: { tokens: 300, messages: 4 },
  tiers: [], durationMs: 5,
};

/** Opens `<name>.jsonl`, the coding session with `appended` records after it, checks every line parses, and returns its code lenses. */
async function lensesOfCodingSession(name: string, ...appended: object[]): Promise<Lens[]> {
  const log = codingSession(1);
  const text = [log.header, ...log.records, ...appended].map((r) => JSON.stringify(r)).join('\n');
  const logUri = `file:///tmp/compactor-test/sessions/${name}.jsonl`;
  const published = nextDiagnostics(logUri);
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: logUri, languageId: 'jsonl', version: 1, text } });
  assert.deepEqual((await published).diagnostics.map((d) => d.message), [], `the records appended to ${name} parse`);
  return server.connection.sendRequest<Lens[]>('textDocument/codeLens', { textDocument: { uri: logUri } });
}

describe('transcript features', () => {
  it('publishes diagnostics for a torn line and a huge tool result on open', async () => {
    const published = nextDiagnostics(uri);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: transcript().text } });
    const p = await published;
    assert.equal(p.uri, uri);
    const byLine = p.diagnostics.map((d) => [d.range.start.line, d.severity]);
    assert.deepEqual(byLine, [[7, 2], [8, 1]], 'line 7 (huge result) warns, line 8 (torn) errs');
    assert.match(p.diagnostics[0]!.message, /25,000 tokens \(156\.3% of the 16,000-token window, over 10%\)/);
  });

  it('shows each message line\'s stored token count as an inlay hint at the line start', async () => {
    const hints = await server.connection.sendRequest<Array<{ position: { line: number }; label: string }>>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
    const log = codingSession(1);
    const expected = log.records.map((r, i) => [i + 1, `${(r as MessageRecord).tokens.toLocaleString('en-US')} tok`]);
    assert.deepEqual(hints.slice(0, 6).map((h) => [h.position.line, h.label]), expected);
    assert.deepEqual([hints[6]?.position.line, hints[6]?.label], [7, '25,000 tok']);
    assert.equal(hints.length, 7, 'header and torn line get none');
    assert.ok(hints.every((h) => (h.position as { character?: number }).character === 0), 'long JSONL lines: the start is always drawn');
  });

  it('outlines the session: header, then one symbol per message', async () => {
    const symbols = await server.connection.sendRequest<Array<{ name: string; detail: string }>>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols.length, 8);
    assert.equal(symbols[0]?.name, 'session server-test');
    assert.match(symbols[1]?.name ?? '', /^user: Request 1: fix the bug/);
    assert.match(symbols[2]?.name ?? '', /^assistant: read_file\(…\)/);
  });
});

describe('transcript hover and lenses', () => {
  it('hovers a message line with role, parts, tool, tokens and share of the session', async () => {
    const h = await server.connection.sendRequest<HoverResult | null>('textDocument/hover', { textDocument: { uri }, position: { line: 7, character: 3 } });
    assert.ok(h, 'a hover on the huge tool result');
    assert.equal(h.range.start.line, 7);
    const total = codingSession(1).records.reduce((sum, r) => sum + (r as MessageRecord).tokens, 0) + 25_000;
    assert.match(h.contents.value, /\*\*tool\*\* message `big`/);
    assert.match(h.contents.value, /parts: tool_result/);
    assert.match(h.contents.value, /tool: `read_file`/);
    assert.match(h.contents.value, /tokens: 25,000/);
    assert.ok(h.contents.value.includes(`share of the session: ${((100 * 25_000) / total).toFixed(1)}% of ${total.toLocaleString('en-US')} tokens`), h.contents.value);
    const onHeader = await server.connection.sendRequest<HoverResult | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } });
    assert.equal(onHeader, null, 'the header is no message');
  });

  it('puts "Pin", "Compact up to here" and "Compact from here" on each message still in the context', async () => {
    const lenses = await server.connection.sendRequest<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lenses.length, 21, '7 messages × 3');
    assert.deepEqual(lenses.slice(0, 3).map((l) => [l.range.start.line, l.command.title, l.command.command, l.command.arguments]), [
      [1, '$(pin) Pin', 'compactor.pinMessage', [{ sessionId: 'server-test', messageId: 'u1', origin: 'transcript' }]],
      [1, 'Compact up to here', 'compactor.compactPartial', [{ sessionId: 'server-test', messageId: 'u1', side: 'upto' }]],
      [1, 'Compact from here', 'compactor.compactPartial', [{ sessionId: 'server-test', messageId: 'u1', side: 'from' }]],
    ]);
  });

  it('leaves out messages covered by a compaction that was not reverted', async () => {
    const lenses = await lensesOfCodingSession('compacted', COVERING_U1_TO_T1A);
    const partial = lenses.filter((l) => l.command.command === 'compactor.compactPartial');
    assert.deepEqual([...new Set(partial.map((l) => (l.command.arguments[0] as { messageId: string }).messageId))], ['a1b', 't1b', 'a1c']);
    assert.equal(lenses.filter((l) => l.command.command === 'compactor.pinMessage').length, 6, 'every message can be pinned, covered ones too');
  });

  it('a pinned message gets "Pinned: unpin" and is back in the context even when covered', async () => {
    const pin = { type: 'pin', id: 'p1', at: '2025-01-01T00:00:02.000Z', messageId: 'u1', pinned: true };
    const lenses = await lensesOfCodingSession('pinned', COVERING_U1_TO_T1A, pin);
    const onU1 = lenses.filter((l) => (l.command.arguments[0] as { messageId: string }).messageId === 'u1').map((l) => [l.command.title, l.command.command]);
    assert.deepEqual(onU1, [
      ['$(pinned) Pinned: unpin', 'compactor.unpinMessage'],
      ['Compact up to here', 'compactor.compactPartial'],
      ['Compact from here', 'compactor.compactPartial'],
    ]);
  });

  it('re-checks open documents against a changed tool-result share (workspace/didChangeConfiguration)', async () => {
    const published = nextDiagnostics(uri);
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: { transcript: { largeToolResultPercent: 1 } } });
    const p = await published;
    // 1% of 16,000 = 160: every tool result of the session (300 words) now warns too.
    assert.deepEqual(p.diagnostics.filter((d) => d.severity === 2).map((d) => d.range.start.line), [3, 5, 7]);
    const restored = nextDiagnostics(uri);
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: { transcript: { largeToolResultPercent: 10 } } });
    assert.deepEqual((await restored).diagnostics.map((d) => d.range.start.line), [7, 8]);
  });

  it('logs and ignores an invalid share', async () => {
    const before = server.logs.length;
    const published = nextDiagnostics(uri);
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: { transcript: { largeToolResultPercent: 0 } } });
    assert.deepEqual((await published).diagnostics.map((d) => d.range.start.line), [7, 8], 'still 10%');
    assert.ok(server.logs.slice(before).some((l) => /transcript options ignored.*largeToolResultPercent/.test(l.message)));
  });
});

describe('Claude Code sessions and other JSONL', () => {
  const ccUri = 'file:///home/u/.claude/projects/demo/abc.jsonl';
  const cc = [
    { type: 'summary', summary: 'Fix the parser', leafUuid: 'x' },
    { parentUuid: null, isSidechain: false, type: 'user', sessionId: 'abc', uuid: 'u-1', timestamp: '2025-09-03T00:00:00Z', message: { role: 'user', content: 'Please fix the parser in src/parse.ts' } },
    { parentUuid: 'u-1', isSidechain: false, type: 'assistant', sessionId: 'abc', uuid: 'a-1', message: { id: 'm1', role: 'assistant', model: 'claude-sonnet-4', content: [{ type: 'tool_use', id: 'tu1', name: 'Read', input: { file_path: 'src/parse.ts' } }] } },
    { parentUuid: 'a-1', isSidechain: false, type: 'user', sessionId: 'abc', uuid: 'r-1', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu1', content: Array.from({ length: 3_000 }, (_, i) => `${i}: export function parse${i}(input) {}`).join('\n') }] } },
    { type: 'file-history-snapshot', snapshot: {} },
    { parentUuid: null, isSidechain: true, type: 'user', sessionId: 'abc', uuid: 's-1', message: { role: 'user', content: 'subagent task' } },
    { parentUuid: 'r-1', isSidechain: false, type: 'assistant', sessionId: 'abc', uuid: 'a-2', message: { id: 'm2', role: 'assistant', model: 'claude-sonnet-4', content: [{ type: 'text', text: 'Fixed.' }] } },
  ];

  it('shows counted tokens, an outline of the turns and hovers, warns on the huge result, and has no lenses', async () => {
    const published = nextDiagnostics(ccUri);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: ccUri, languageId: 'jsonl', version: 1, text: cc.map((r) => JSON.stringify(r)).join('\n') } });
    const p = await published;
    assert.deepEqual(p.diagnostics.map((d) => [d.range.start.line, d.severity]), [[3, 2]], 'the 3,000-line Read result is over 10% of 200k');
    assert.match(p.diagnostics[0]!.message, /of the 200,000-token window/);

    const hints = await server.connection.sendRequest<Array<{ position: { line: number }; label: string }>>('textDocument/inlayHint', {
      textDocument: { uri: ccUri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
    assert.deepEqual(hints.map((h) => h.position.line), [1, 2, 3, 6], 'not the snapshot (4) nor the subagent line (5)');
    for (const h of hints) assert.match(h.label, /^~[\d,]+ tok$/);

    const symbols = await server.connection.sendRequest<Array<{ name: string }>>('textDocument/documentSymbol', { textDocument: { uri: ccUri } });
    assert.deepEqual(symbols.map((s) => s.name), ['Fix the parser', 'user: Please fix the parser in src/parse.ts', 'assistant: Read(…)', 'tool: Read result', 'assistant: Fixed.']);

    const h = await server.connection.sendRequest<HoverResult | null>('textDocument/hover', { textDocument: { uri: ccUri }, position: { line: 3, character: 0 } });
    assert.match(h?.contents.value ?? '', /\*\*tool\*\* message `r-1`[\s\S]*tool: `Read`[\s\S]*counted on opening/);

    const lenses = await server.connection.sendRequest<Lens[]>('textDocument/codeLens', { textDocument: { uri: ccUri } });
    assert.deepEqual(lenses, [], 'a Claude Code file is not a session the extension can compact');
  });

  it('answers nothing for a JSONL file that is no transcript, and publishes no diagnostics for it', async () => {
    const otherUri = 'file:///tmp/data/rows.jsonl';
    const seen: string[] = [];
    const sub = server.connection.onNotification('textDocument/publishDiagnostics', (p: Published) => void seen.push(p.uri));
    await server.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: otherUri, languageId: 'jsonl', version: 1, text: '{"a":1}\n{"b":2}\nnot json at all\n' },
    });
    const hints = await server.connection.sendRequest<unknown[]>('textDocument/inlayHint', { textDocument: { uri: otherUri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } } });
    const symbols = await server.connection.sendRequest<unknown[]>('textDocument/documentSymbol', { textDocument: { uri: otherUri } });
    const h = await server.connection.sendRequest<unknown>('textDocument/hover', { textDocument: { uri: otherUri }, position: { line: 0, character: 1 } });
    sub.dispose();
    assert.deepEqual([hints, symbols, h], [[], [], null]);
    assert.deepEqual(seen.filter((u) => u === otherUri), [], 'no diagnostics, not even an empty list');
  });
});
