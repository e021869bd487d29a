/**
 * The artifact ledger (ledger.ts) on each importer's format, from small
 * synthetic transcripts written here; the summary's request fitting (a request
 * too long for the room keeps a shorter cut); the fidelity check; and the
 * swea_pydicom-1458 reproducer of issue 18 (skipped, with the reason, without the optional corpus).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compact } from '../../../src/compaction/planner';
import { contextOf } from '../../../src/compaction/context';
import { checkFidelity, repairSummary, REPAIR_HEADING } from '../../../src/compaction/fidelity';
import { importTranscript, type FormatName } from '../../../src/compaction/importers';
import { buildLedger, buildLedgerInSlices, createLedgerMemo, requestsOf, scanInSlices, type Ledger } from '../../../src/compaction/ledger';
import type { MessageRecord } from '../../../src/compaction/records';
import { extractiveSummary } from '../../../src/compaction/tiers/extractive';
import { createTimeSlicer } from '../../../src/compaction/timeSlicer';
import { counterForModel } from '../../../src/compaction/tokens/counter';
import { call, codingSession, estimate, fakeClock, filler, result, session, user } from './fixtures';
import { corpusSkip, readCorpus } from './corpusFiles';

const jsonl = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n');
function ledgerOf(text: string, format: FormatName): { ledger: Ledger; messages: MessageRecord[] } {
  const { log } = importTranscript(text, { counter: estimate, format });
  const messages = log.records.filter((r): r is MessageRecord => r.type === 'message');
  return { ledger: buildLedger(messages), messages };
}
const fileLine = (l: Ledger, path: string) => l.files.find((f) => f.path === path);

describe('ledger on each importer format', () => {
  it('Claude Code: the slash command is the request, its expanded template is not; Edit/Write/Bash land in files and commands', () => {
    let n = 0;
    const rec = (type: 'user' | 'assistant', content: unknown, extra: Record<string, unknown> = {}) => ({
      type, uuid: `u${++n}`, parentUuid: n > 1 ? `u${n - 1}` : null, sessionId: 's1', timestamp: `2026-01-01T00:00:${String(n).padStart(2, '0')}Z`,
      message: { role: type, content, ...(type === 'assistant' ? { id: `msg${n}`, model: 'claude-sonnet-4' } : {}) }, ...extra,
    });
    const text = jsonl([
      rec('user', '<command-message>fix is running…</command-message>\n<command-name>/fix</command-name>\n<command-args>the login bug</command-args>'),
      rec('user', [{ type: 'text', text: `Fix the bug the user names. ${filler(2_000, 'template')}` }], { isMeta: true }),
      rec('assistant', [{ type: 'tool_use', id: 't1', name: 'Edit', input: { file_path: 'src/login.ts', old_string: 'if (user)', new_string: 'if (user && user.active)' } }]),
      rec('user', [{ type: 'tool_result', tool_use_id: 't1', content: 'The file src/login.ts has been updated.' }]),
      rec('assistant', [{ type: 'tool_use', id: 't2', name: 'Bash', input: { command: 'npm test' } }]),
      rec('user', [{ type: 'tool_result', tool_use_id: 't2', content: 'FAIL src/login.test.ts\nError: expected active user', is_error: true }]),
      rec('assistant', [{ type: 'tool_use', id: 't3', name: 'Write', input: { file_path: 'src/session.ts', content: 'export const ttl = 60;\n' } }]),
      rec('user', [{ type: 'tool_result', tool_use_id: 't3', content: 'File created successfully at: src/session.ts' }]),
    ]);
    const { ledger, messages } = ledgerOf(text, 'claude-code');
    assert.deepEqual(ledger.requests, ['<command-message>fix is running…</command-message>\n<command-name>/fix</command-name>\n<command-args>the login bug</command-args>']);
    assert.equal(requestsOf(messages).length, 1, 'the template (isMeta) is not a request');
    assert.deepEqual(fileLine(ledger, 'src/login.ts'), { path: 'src/login.ts', actions: ['edited'], lastEdit: 'replaced "if (user)" with "if (user && user.active)"' });
    assert.deepEqual(fileLine(ledger, 'src/session.ts')?.actions, ['created']);
    assert.equal(ledger.commands[0]?.command, 'npm test');
    assert.equal(ledger.commands[0]?.failed, true);
    assert.match(ledger.errors[0]?.message ?? '', /Error: expected active user/);
    assert.equal(ledger.errors[0]?.resolved, undefined);
    // The summary quotes the short command whole even though the long template came after it.
    const summary = extractiveSummary({ messages }, { budgetTokens: 400, counter: estimate });
    assert.match(summary, /<command-args>the login bug<\/command-args>/);
    assert.ok(!summary.includes('template template'), 'the expanded template is not quoted as a request');
  });

  it('SWE-agent: the demonstration is not a request; open + edit N:M edits the open file; the first request is the issue', () => {
    const traj = {
      history: [
        { role: 'system', content: 'SETTING: you are an autonomous programmer' },
        { role: 'user', content: `Here is a demonstration of how to solve a task. ${filler(1_500, 'demo')}`, is_demo: true },
        { role: 'user', content: 'ISSUE: Pixel Representation attribute should be optional' },
        { role: 'assistant', content: 'Open the handler.\n```\nopen pydicom/handler.py\n```', thought: 'Open the handler.', action: 'open pydicom/handler.py' },
        { role: 'user', content: '[File: pydicom/handler.py (100 lines total)]\n1:import numpy' },
        { role: 'assistant', content: 'Edit it.', thought: 'Edit it.', action: 'edit 46:46\n    if "PixelRepresentation" in ds:\nend_of_edit' },
        { role: 'user', content: '[File: pydicom/handler.py (100 lines total)]\n46:    if "PixelRepresentation" in ds:' },
        { role: 'assistant', content: 'Run it.', thought: 'Run it.', action: 'python reproduce.py' },
        { role: 'user', content: 'Traceback (most recent call last):\nKeyError: PixelRepresentation' },
      ],
      info: {},
    };
    const { ledger, messages } = ledgerOf(JSON.stringify(traj), 'swe-agent');
    assert.deepEqual(ledger.requests, ['ISSUE: Pixel Representation attribute should be optional']);
    const demo = messages.find((m) => m.role === 'user' && m.parts.some((p) => p.type === 'text' && p.text.includes('demonstration')));
    assert.equal(demo?.request, false, 'the importer marks the demonstration');
    assert.deepEqual(fileLine(ledger, 'pydicom/handler.py')?.actions, ['read', 'edited']);
    assert.match(fileLine(ledger, 'pydicom/handler.py')?.lastEdit ?? '', /lines 46:46 replaced with "if "PixelRepresentation" in ds:"/);
    assert.deepEqual(fileLine(ledger, 'reproduce.py')?.actions, ['ran']);
    assert.match(ledger.errors.at(-1)?.message ?? '', /KeyError: PixelRepresentation/);
    // The planner pins the issue, not the demonstration, as the first request: truncation keeps it.
    const log = importTranscript(JSON.stringify(traj), { counter: estimate, format: 'swe-agent' }).log;
    const r = compact(log, { source: 'manual', strategy: 'truncate', targetTokens: 200, counter: estimate, clock: fakeClock() });
    assert.ok(r.status === 'compacted' || r.status === 'inflated');
    if (r.status === 'compacted') assert.ok(!r.record.covered.includes(messages.find((m) => m.request !== false && m.role === 'user')!.id), 'the issue stays');
  });

  it('OpenAI messages (mini-swe-agent, the eval format): heredoc writes, sed -i edits, exit codes from <returncode>', () => {
    const tc = (id: string, command: string) => ({ role: 'assistant', content: '', tool_calls: [{ id, type: 'function', function: { name: 'bash', arguments: JSON.stringify({ command }) } }] });
    const text = jsonl([
      { role: 'user', content: 'Make the RST writer accept header_rows. Do not modify tests.' },
      tc('c1', "cat > repro.py << 'EOF'\nfrom astropy.table import QTable\nEOF"),
      { role: 'tool', tool_call_id: 'c1', content: '<returncode>0</returncode>\n<output>\n</output>' },
      tc('c2', "sed -i 's/def __init__(self):/def __init__(self, header_rows=None):/' astropy/io/ascii/rst.py"),
      { role: 'tool', tool_call_id: 'c2', content: '<returncode>0</returncode>' },
      tc('c3', 'python repro.py'),
      { role: 'tool', tool_call_id: 'c3', content: '<returncode>1</returncode>\n<output>\nTypeError: RST.__init__() got an unexpected keyword argument\n</output>' },
      tc('c4', 'python repro.py'),
      { role: 'tool', tool_call_id: 'c4', content: '<returncode>0</returncode>\n<output>\nall good\n</output>' },
    ]);
    const { ledger, messages } = ledgerOf(text, 'openai');
    assert.deepEqual(ledger.constraints, ['Do not modify tests.']);
    assert.deepEqual(fileLine(ledger, 'repro.py')?.actions, ['created', 'ran']);
    assert.match(fileLine(ledger, 'repro.py')?.lastEdit ?? '', /heredoc starting "from astropy.table import QTable"/);
    assert.match(fileLine(ledger, 'astropy/io/ascii/rst.py')?.lastEdit ?? '', /^sed s\/def __init__/);
    assert.deepEqual(ledger.commands.map((c) => [c.command, c.exitCode]), [
      ["cat > repro.py << 'EOF' [+2 lines]", 0],
      ["sed -i 's/def __init__(self):/def __init__(self, header_rows=None):/' astropy/io/ascii/rst.py", 0],
      ['python repro.py', 0],
    ]);
    assert.equal(ledger.errors.length, 1);
    assert.equal(ledger.errors[0]?.resolved, 'it passed when run again');
    const summary = extractiveSummary({ messages }, { budgetTokens: 2_000, counter: estimate });
    assert.match(summary, /`python repro\.py` → exit code 0: all good/);
    assert.match(summary, /TypeError: RST.__init__\(\) got an unexpected keyword argument — resolved/);
  });

  it('pi: a command the person ran with ! (bashExecution) is context, not a request', () => {
    const msg = (message: Record<string, unknown>) => ({ type: 'message', timestamp: '2026-01-01T00:00:01.000Z', message });
    const text = jsonl([
      { type: 'session', id: 'pi-1', timestamp: '2026-01-01T00:00:00.000Z', cwd: '/repo' },
      msg({ role: 'user', content: [{ type: 'text', text: 'why is the build slow?' }] }),
      msg({ role: 'bashExecution', command: 'find .', output: filler(4_000, './.git/objects/2d'), exitCode: 0 }),
      msg({ role: 'assistant', content: [{ type: 'text', text: 'The .git folder holds most files.' }] }),
    ]);
    const { ledger, messages } = ledgerOf(text, 'pi');
    assert.ok(messages.some((m) => m.role === 'user' && m.request === false), 'the command output is marked as not a request');
    assert.deepEqual(ledger.requests, ['why is the build slow?'], 'only what the person asked is quoted as a request');
  });

  it('the extension\'s own tools: compactor_editFile, compactor_createFile, compactor_writeFile, compactor_runInTerminal', () => {
    const messages = [
      user('u1', 'Rename the flag and keep the old name working.'),
      call('a1', 'c1', 'compactor_createFile', { path: 'src/flags.ts', content: 'export const FLAG = 1;\n' }),
      result('t1', 'c1', 'compactor_createFile', 'Created src/flags.ts'),
      call('a2', 'c2', 'compactor_editFile', { path: 'src/flags.ts', oldText: 'FLAG = 1', newText: 'NEW_FLAG = 1' }),
      result('t2', 'c2', 'compactor_editFile', 'Edited src/flags.ts'),
      call('a3', 'c3', 'compactor_writeFile', { path: 'README.md', content: '# Flags\n' }),
      result('t3', 'c3', 'compactor_writeFile', 'Wrote README.md'),
      call('a4', 'c4', 'compactor_runInTerminal', { command: 'npm run build', cwd: '.' }),
      result('t4', 'c4', 'compactor_runInTerminal', 'error TS2304: Cannot find name FLAG\nExit code: 2'),
    ];
    const ledger = buildLedger(messages);
    assert.deepEqual(fileLine(ledger, 'src/flags.ts'), { path: 'src/flags.ts', actions: ['created', 'edited'], lastEdit: 'replaced "FLAG = 1" with "NEW_FLAG = 1"' });
    assert.deepEqual(fileLine(ledger, 'README.md')?.actions, ['created']);
    assert.deepEqual(ledger.commands, [{ command: 'npm run build', failed: true, exitCode: 2, keyLine: 'error TS2304: Cannot find name FLAG' }]);
  });
});

describe('requests in the summary', () => {
  it('a request too long for the room is cut shorter, never dropped', () => {
    const long = `Please port the parser. ${filler(12_000, 'detail')} The last sentence says keep the API stable.`;
    const messages = [user('u1', 'Start the port.'), user('u2', long)];
    const summary = extractiveSummary({ messages }, { budgetTokens: 600, counter: estimate });
    assert.ok(estimate.countText(summary) <= 600, `summary has ${estimate.countText(summary)} tokens`);
    assert.match(summary, /Please port the parser\./, 'the head of the latest request');
    assert.match(summary, /keep the API stable\./, 'its tail');
    assert.match(summary, /\[…\]/, 'the cut is marked');
    assert.match(summary, /- Start the port\./, 'the short first request is kept whole');
  });
});

describe('ledger in time slices (the extension host)', () => {
  it('scanned and built in slices, it is the same ledger, and the work yields between messages', async () => {
    const messages = codingSession(8, 1_500).records.filter((r): r is MessageRecord => r.type === 'message');
    let turns = 0;
    // A clock that moves 1 ms per look: every 3rd look ends a slice.
    let t = 0;
    const slicer = createTimeSlicer({ budgetMs: 3, now: () => t++, turn: async () => void turns++ });
    const memo = createLedgerMemo();
    await scanInSlices(messages, memo, slicer);
    const sliced = await buildLedgerInSlices(messages, memo, slicer);
    assert.deepEqual(sliced, buildLedger(messages));
    assert.ok(turns >= 10, `the work gave the event loop ${turns} turns`);
  });
});

describe('fidelity check', () => {
  const messages = [
    user('u1', 'Fix the parser. Never change the public API.'),
    call('a1', 'c1', 'compactor_editFile', { path: 'src/parser.ts', oldText: 'a', newText: 'b' }),
    result('t1', 'c1', 'compactor_editFile', 'ok'),
    call('a2', 'c2', 'compactor_editFile', { path: 'src/lexer.ts', oldText: 'c', newText: 'd' }),
    result('t2', 'c2', 'compactor_editFile', 'ok'),
  ];
  const ledger = buildLedger(messages);

  it('a summary that keeps every tracked fact scores 1 and is not changed', () => {
    const full = 'The user asked: Fix the parser. Never change the public API. Edited src/parser.ts and src/lexer.ts.';
    const r = checkFidelity(full, ledger);
    assert.equal(r.fidelity, 1);
    assert.equal(repairSummary(full, r.lost, estimate), full);
  });

  it('a summary that drops a file gets it back and a lower score', () => {
    const lossy = 'The user asked: Fix the parser. Never change the public API. Edited src/parser.ts.';
    const r = checkFidelity(lossy, ledger);
    assert.equal(r.tracked, 4, 'the request, the constraint, two changed files');
    assert.equal(r.fidelity, 0.75);
    assert.deepEqual(r.lost.map((f) => f.kind), ['file']);
    const repaired = repairSummary(lossy, r.lost, estimate);
    assert.ok(repaired.startsWith(lossy));
    assert.ok(repaired.includes(REPAIR_HEADING));
    assert.match(repaired, /`src\/lexer\.ts` — edited; last change: replaced "c" with "d"/);
    assert.equal(checkFidelity(repaired, ledger).fidelity, 1, 'after the repair nothing is lost');
  });

  it('the planner stores an extractive summary\'s fidelity on the record and the report', () => {
    const log = session([...messages, user('u2', `Now the lexer. ${filler(3_000)}`), call('a3', 'c3', 'bash', { command: 'npm test' }), result('t3', 'c3', 'bash', filler(3_000))]);
    const r = compact(log, { source: 'manual', strategy: 'extractive', targetTokens: 1_200, keepTailTurns: 1, counter: estimate, clock: fakeClock() });
    assert.equal(r.status, 'compacted');
    if (r.status !== 'compacted') return;
    assert.ok(r.record.fidelity !== undefined && r.record.fidelity > 0 && r.record.fidelity <= 1, `fidelity ${r.record.fidelity}`);
    assert.equal(r.report.fidelity, r.record.fidelity);
  });
});

describe('issue 18 reproducer', () => {
  const name = 'swea_pydicom-1458.traj';
  it('extractive at 3,552 tokens keeps the latest request (swea_pydicom-1458)', { skip: corpusSkip(name) }, () => {
    const counter = counterForModel('gpt-4o');
    const { log } = importTranscript(readCorpus(name), { counter, fileName: name });
    const r = compact(log, { source: 'manual', strategy: 'extractive', targetTokens: 3_552, counter, clock: fakeClock() });
    assert.equal(r.status, 'compacted');
    if (r.status !== 'compacted') return;
    const text = contextOf({ ...log, records: [...log.records, r.record] }, counter).flatMap((m) => m.parts).map((p) => ('text' in p ? p.text : '')).join('\n');
    assert.match(text, /Pixel Representation attribute should be optional/);
    assert.equal(r.report.withinTarget, true);
  });
});
