/**
 * Issue 18, summary quality: a long first request is condensed to its most
 * telling lines (not cut to head and tail), so an agent run's task survives a
 * small budget; demonstration names stay out of the identifiers; addresses
 * (a dev server's port, a URL) are kept; files used most are taken first; a
 * "TODO app" is not a pending task.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importTranscript } from '../../../src/compaction/importers';
import { buildLedger } from '../../../src/compaction/ledger';
import type { MessageRecord } from '../../../src/compaction/records';
import { extractiveSummary } from '../../../src/compaction/tiers/extractive';
import { extractFacts } from '../../../src/compaction/tiers/extractFacts';
import { condenseRequest } from '../../../src/compaction/tiers/summaryFormat';
import { assistant, call, estimate, result, session, user } from './fixtures';

const words = (t: string) => new Set(t.toLowerCase().match(/[\p{L}\p{N}_]{4,}/gu) ?? []);
const shareOfWordsKept = (request: string, summary: string) => {
  const w = [...words(request)];
  const have = words(summary);
  return w.filter((x) => have.has(x)).length / w.length;
};

/** An issue wrapped in an agent's instruction template, with a code listing (many tokens, few new words). */
const listing = Array.from({ length: 60 }, (_, i) => `${i + 100}:        value = compute(value, ${i})`).join('\n');
const TASK = [
  "We're currently solving the following issue within our repository. Here's the issue text:",
  'ISSUE:',
  'Pixel Representation attribute should be optional for the numpy pixel data handler',
  'The handler currently requires PixelRepresentation, but Float Pixel Data and Double Float Pixel Data never carry it.',
  listing,
  'Expected behavior: decoding FloatPixelData works without PixelRepresentation in the metadata.',
  'INSTRUCTIONS:',
  'Edit the source, reproduce the bug first, then run the existing tests before submitting.',
].join('\n');

describe('condenseRequest', () => {
  it('keeps the head, the last line and the lines with the most new words; drops the listing; marks the cuts', () => {
    const whole = estimate.countText(TASK);
    const out = condenseRequest(TASK, Math.floor(whole / 3), estimate);
    assert.ok(estimate.countText(out) <= Math.floor(whole / 3), 'fits');
    assert.match(out, /^We're currently solving/, 'the head');
    assert.match(out, /Pixel Representation attribute should be optional/, 'the title');
    assert.match(out, /Expected behavior: decoding FloatPixelData/, 'a line from after the listing');
    assert.match(out, /run the existing tests before submitting\.$/, 'the last line');
    assert.match(out, /\n\[…\]\n/, 'the cut is marked');
    assert.ok((out.match(/compute\(value/g) ?? []).length <= 2, 'the listing adds no new words after its first line');
    for (const line of out.split('\n')) assert.ok(line === '[…]' || TASK.split('\n').includes(line), `verbatim: ${line}`);
  });

  it('returns a request that fits unchanged', () => {
    assert.equal(condenseRequest(TASK, 100_000, estimate), TASK);
  });
});

describe('the first request of an agent run at a small budget', () => {
  it('keeps 80 % of its distinct words where a head-and-tail cut kept less, the latest request whole', () => {
    const observations = Array.from({ length: 6 }, (_, i) => user(`o${i}`, `[File: handler.py]\n${listing}\n(step ${i})`));
    const log = session([user('u0', TASK), assistant('a0', 'Let me look.'), ...observations.flatMap((o, i) => [o, assistant(`a${i + 1}`, 'next')]), user('u9', 'Now run the tests.')]);
    const messages = log.records as MessageRecord[];
    const budget = Math.floor(estimate.countText(TASK) * 1.2);
    const summary = extractiveSummary({ messages }, { budgetTokens: budget, counter: estimate });
    assert.ok(estimate.countText(summary) <= budget);
    assert.ok(shareOfWordsKept(TASK, summary) >= 0.8, `kept ${shareOfWordsKept(TASK, summary).toFixed(2)} of the task's words`);
    assert.match(summary, /^- Now run the tests\.$/m);
  });
});

describe('what feeds the identifiers', () => {
  it('a SWE-agent demonstration does not: its names stay out of the summary', () => {
    const traj = {
      history: [
        { role: 'system', content: 'You are an agent.' },
        { role: 'user', content: 'Here is a demonstration:\nDEMO: call demo_only_helper() and DemoWidget.render_all()', is_demo: true },
        { role: 'user', content: 'Fix parse_header() in reader.py: it drops the last field.' },
        { role: 'assistant', content: 'Open it.\n```\nopen reader.py\n```', thought: 'Open it.', action: 'open reader.py' },
        { role: 'user', content: '[File: reader.py (10 lines total)]\n1:def parse_header(line):\n2:    return line.split(",")[:-1]' },
      ],
      info: {},
    };
    const { log } = importTranscript(JSON.stringify(traj), { counter: estimate, format: 'swe-agent' });
    const messages = log.records.filter((r): r is MessageRecord => r.type === 'message');
    const ledger = buildLedger(messages);
    assert.ok(ledger.names.includes('parse_header()'), 'the user\'s own names are kept');
    assert.ok(!ledger.names.some((n) => /demo_only_helper|DemoWidget/.test(n)), `no demonstration names: ${ledger.names.join(', ')}`);
    const summary = extractiveSummary({ messages }, { budgetTokens: 2_000, counter: estimate });
    assert.doesNotMatch(summary, /demo_only_helper|DemoWidget/);
    assert.match(summary, /- Functions and methods called most: [^\n]*`parse_header\(\)`/, 'names are grouped by kind, each line a sentence');
  });

  it('addresses get their own line, taken first; "TODO app" is not a pending task', () => {
    const log = session([
      user('u1', 'Create a TODO app with Next.js.'),
      call('a1', 'c1', 'bash', { command: 'npm run dev' }),
      result('t1', 'c1', 'bash', 'ready - started server on 0.0.0.0, url: http://localhost:3001'),
      assistant('a2', '## TODO App Creation Complete\nThe dev server runs on localhost:3001.'),
    ]);
    const facts = extractFacts(log.records as MessageRecord[]);
    assert.match(facts.identifiers[0] ?? '', /^Addresses used: .*`localhost:3001`/);
    assert.deepEqual(facts.pending, []);
  });

  it('files named in more messages are taken before a file seen once in a listing', () => {
    const log = session([
      user('u1', 'Fix src/core.ts.'),
      call('a1', 'c1', 'bash', { command: 'ls' }),
      result('t1', 'c1', 'bash', 'src/core.ts\nsrc/zzz_unused.ts'),
      assistant('a2', 'The bug is in src/core.ts; src/core.ts needs a guard.'),
    ]);
    const files = extractFacts(log.records as MessageRecord[]).files;
    // The section is taken from its end.
    assert.match(files[files.length - 1] ?? '', /src\/core\.ts/);
    assert.match(files[0] ?? '', /zzz_unused/);
  });

  it('key lines of a file written or read (definitions, error messages) fill leftover room under "Code written or read"', () => {
    const body = "import x from 'y';\nexport function addTodo(text: string) {\n  if (!text) return { error: 'Todo text cannot be empty' };\n  return text;\n}";
    const log = session([
      user('u1', 'Add a todo store.'),
      call('a1', 'c1', 'Write', { file_path: 'src/store.ts', content: body }),
      result('t1', 'c1', 'Write', 'File created successfully at: src/store.ts'),
      call('a2', 'c2', 'Read', { file_path: 'src/old.py' }),
      result('t2', 'c2', 'Read', "     1→class OldStore:\n     2→    def load(self):\n     3→        raise ValueError('store file is corrupt')"),
    ]);
    const messages = log.records as MessageRecord[];
    const code = extractFacts(messages).code.join('\n');
    // Error messages first, then definitions.
    assert.match(code, /`src\/store\.ts` has: `if \(!text\) return \{ error: 'Todo text cannot be empty' \};`; `export function addTodo\(text: string\)`/);
    assert.match(code, /`src\/old\.py` has: `raise ValueError\('store file is corrupt'\)`; `class OldStore`; `def load\(self\)`/);
    assert.doesNotMatch(code, /import x/);
    assert.match(extractiveSummary({ messages }, { budgetTokens: 2_000, counter: estimate }), /## Code written or read\n- `/);
  });
});
