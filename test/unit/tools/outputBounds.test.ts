import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  boundToolResult,
  headTail,
  sanitizeOutput,
  STORED_OUTPUT_MAX_CHARS,
  stripAnsi,
  TERMINAL_MODEL_MAX_CHARS,
  TOOL_RESULT_MODEL_MAX_CHARS,
} from '../../../extension/tools/outputBounds';
import { BoundedCollector, cleanOutput, formatOutcome } from '../../../extension/tools/terminal/commandResult';

test('colours, cursor moves, OSC titles and shell-integration marks are stripped', () => {
  const raw =
    '\u001b]633;A\u0007\u001b]0;title\u0007$ \u001b]633;B\u0007npm test\r\n\u001b]633;C\u0007' +
    '\u001b[32m✔ ok\u001b[0m \u001b[1;31mfail\u001b[22;39m\r\n\u001b[2K\u001b[1Gdone\u001b]633;D;0\u001b\\\r\n\u001b(B\u001b=x';
  assert.equal(stripAnsi(raw), '$ npm test\n✔ ok fail\ndone\nx');
});

test('a carriage return keeps what the line shows last (progress bars)', () => {
  assert.equal(stripAnsi('10%\r50%\r100%\nnext\r\n'), '100%\nnext\n');
  assert.equal(stripAnsi('a\r\r\nb'), 'a\nb');
});

test('8-bit CSI and unterminated escapes do not survive', () => {
  assert.equal(stripAnsi('\u009b31mred\u009b0m'), 'red');
  assert.equal(stripAnsi('end\u001b'), 'end');
});

test('short text is not cut', () => {
  assert.equal(headTail('abc', 10, 'x'), 'abc');
});

test('long text keeps a head and a larger tail around a marker with the counts', () => {
  const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i}`).join('\n');
  const out = headTail(lines, 2_000, 'the whole output is kept in the session log');
  assert.ok(out.length <= 2_000, `bounded: ${out.length}`);
  assert.ok(out.startsWith('line 0\nline 1\n'));
  assert.ok(out.endsWith('line 9999'));
  const m = /\[… ([\d,]+) characters \(([\d,]+) lines\) cut from the middle of this output; the whole output is kept in the session log …\]/.exec(out);
  assert.ok(m, out.slice(700, 1000));
  const cut = Number(m[1]!.replace(/,/g, ''));
  // What is shown plus what was cut is the whole text.
  assert.equal(out.length - m[0].length - 2 + cut, lines.length);
  const head = out.slice(0, out.indexOf('\n[…'));
  const tail = out.slice(out.indexOf('…]\n') + 3);
  assert.ok(tail.length > head.length, 'the tail (errors, summary lines) gets more room');
  assert.ok(head.endsWith('\n') && /^line \d+/.test(tail), 'cut at line breaks');
});

test('a huge single line is cut without splitting a surrogate pair', () => {
  const text = '😀'.repeat(100_000);
  const out = headTail(text, 1_000, 'x');
  assert.ok(out.length <= 1_000);
  assert.equal(out.replace(/\n\[…[^\]]*\]\n/, '').replace(/😀/g, ''), '', 'only whole emoji remain');
});

test('binary-ish output is made safe: a few control bytes become U+FFFD, mostly-binary output is replaced', () => {
  assert.equal(sanitizeOutput('ok\u0000\u0007 tab\tnl\n'), 'ok\ufffd\ufffd tab\tnl\n');
  const binary = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(i % 32)).join('');
  assert.match(sanitizeOutput(binary), /^\[binary output: 1,000 characters, \d+% of them not text; not shown\]$/);
  assert.equal(cleanOutput('\u001b[31m\u0000x\u001b[0m  \n\n'), '\ufffdx');
});

test('a terminal result beyond the model bound is stored whole and shown bounded', () => {
  const output = 'x'.repeat(TERMINAL_MODEL_MAX_CHARS * 3);
  const r = boundToolResult('compactor_runInTerminal', output);
  assert.equal(r.fullText, output);
  assert.ok(r.text.length <= TERMINAL_MODEL_MAX_CHARS);
  assert.match(r.text, /cut from the middle of this output; the whole output is kept in the session log/);
});

test('other tools get the larger bound; small results are stored once', () => {
  const small = boundToolResult('compactor_readFile', 'hello');
  assert.deepEqual(small, { text: 'hello' });
  const mid = 'y'.repeat(TERMINAL_MODEL_MAX_CHARS * 2);
  assert.deepEqual(boundToolResult('compactor_readFile', mid), { text: mid });
  const big = boundToolResult('someone_else_tool', 'z'.repeat(TOOL_RESULT_MODEL_MAX_CHARS + 1));
  assert.ok(big.text.length <= TOOL_RESULT_MODEL_MAX_CHARS && big.fullText?.length === TOOL_RESULT_MODEL_MAX_CHARS + 1);
});

test('a result beyond the stored bound is capped too, with a marker, and never throws', () => {
  const huge = 'a'.repeat(STORED_OUTPUT_MAX_CHARS + 100_000);
  const r = boundToolResult('compactor_runInTerminal', huge);
  assert.ok(r.fullText!.length <= STORED_OUTPUT_MAX_CHARS);
  assert.match(r.fullText!, /the session log keeps only this much of it/);
  assert.ok(r.text.length <= TERMINAL_MODEL_MAX_CHARS);
});

test('the collector keeps a head and tail of an endless stream within its bound', () => {
  const c = new BoundedCollector(1_000);
  for (let i = 0; i < 10_000; i++) c.push(`chunk ${i}\n`);
  const text = c.text();
  assert.ok(c.truncated);
  assert.ok(text.length < 1_100);
  assert.ok(text.startsWith('chunk 0\n'));
  assert.ok(text.endsWith('chunk 9999\n'));
  assert.match(text, /\[… [\d,]+ characters dropped …\]/);
  const small = new BoundedCollector(1_000);
  small.push('a');
  small.push('b');
  assert.equal(small.text(), 'ab');
  assert.equal(small.truncated, false);
});

test('a command outcome reads as status line then output', () => {
  const base = { command: 'npm test', cwd: '.', output: '\u001b[32mok\u001b[0m\n', timedOut: false, cancelled: false, timeoutSeconds: 120, via: 'terminal' as const };
  assert.equal(formatOutcome({ ...base, exitCode: 0 }), '$ npm test\n(in ., VS Code terminal) exited with code 0.\nOutput:\nok');
  assert.match(formatOutcome({ ...base, exitCode: undefined, timedOut: true, via: 'process', note: 'fallback' }), /child process\) timed out after 120 s \(the process was stopped\)\.\nfallback\n/);
  assert.match(formatOutcome({ ...base, exitCode: undefined, cancelled: true, output: '' }), /was cancelled by the person[^]*No output\.$/);
});
