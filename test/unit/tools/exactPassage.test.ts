import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSummary, countOccurrences, diffExcerpt, lineAt, replaceExactPassage, usesCrlf } from '../../../extension/tools/exactPassage';

test('the one occurrence of the passage is replaced', () => {
  const r = replaceExactPassage('a\nb\nc\n', 'b\n', 'B1\nB2\n', 'x.ts');
  assert.ok(r.ok);
  assert.equal(r.text, 'a\nB1\nB2\nc\n');
  assert.equal(r.offset, 2);
  assert.equal(r.length, 2);
});

test('a missing passage fails, names the file and changes nothing', () => {
  const r = replaceExactPassage('const a = 1;\n', 'const b = 1;', 'x', 'src/a.ts');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : '', /oldText was not found in src\/a\.ts.*Nothing was changed/);
});

test('a passage that only matches without its surrounding whitespace gets a hint', () => {
  const r = replaceExactPassage('  return 1;\n', '\treturn 1;', 'x');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : '', /without its leading\/trailing whitespace/);
});

test('an ambiguous passage fails and says how many times it occurs', () => {
  const r = replaceExactPassage('x = 1;\ny = 2;\nx = 1;\nx = 1;\n', 'x = 1;', 'x = 3;', 'a.py');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : '', /occurs 3 times in a\.py; it must occur exactly once/);
});

test('overlapping occurrences count as different places', () => {
  assert.equal(countOccurrences('aaaa', 'aa'), 3);
  assert.equal(countOccurrences('abc', ''), 0);
  const r = replaceExactPassage('aaa', 'aa', 'b');
  assert.equal(r.ok, false);
});

test('an empty oldText is refused', () => {
  const r = replaceExactPassage('abc', '', 'x');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : '', /oldText is empty/);
});

test('in a CRLF file an LF passage matches and the replacement takes CRLF endings', () => {
  const file = 'one\r\ntwo\r\nthree\r\n';
  assert.ok(usesCrlf(file));
  const r = replaceExactPassage(file, 'one\ntwo\n', 'uno\ndos\n');
  assert.ok(r.ok);
  assert.equal(r.text, 'uno\r\ndos\r\nthree\r\n');
  // A CRLF passage as given also works.
  const r2 = replaceExactPassage(file, 'two\r\n', '2\n');
  assert.ok(r2.ok);
  assert.equal(r2.text, 'one\r\n2\r\nthree\r\n');
});

test('an LF file keeps LF; a file with mixed endings is not treated as CRLF', () => {
  assert.equal(usesCrlf('a\nb\n'), false);
  assert.equal(usesCrlf('a\r\nb\n'), false);
  const r = replaceExactPassage('a\r\nb\nc', 'b\nc', 'B\nC');
  assert.ok(r.ok);
  assert.equal(r.text, 'a\r\nB\nC');
});

test('unicode passages (accents, CJK, emoji with surrogate pairs) match exactly', () => {
  const file = 'const greeting = "héllo 世界 👋";\nconst other = "👋";\n';
  const r = replaceExactPassage(file, '"héllo 世界 👋"', '"bye 🌍"');
  assert.ok(r.ok);
  assert.equal(r.text, 'const greeting = "bye 🌍";\nconst other = "👋";\n');
  const ambiguous = replaceExactPassage(file, '👋"', 'x');
  assert.match(!ambiguous.ok ? ambiguous.message : '', /occurs 2 times/);
  // Decomposed é (e + U+0301) is a different text than the precomposed one: no silent normalization.
  assert.equal(replaceExactPassage(file, 'he\u0301llo', 'x').ok, false);
});

test('line numbers and the diff excerpt name where the change is', () => {
  const original = 'l1\nl2\nl3\nl4\n';
  assert.equal(lineAt(original, 0), 1);
  assert.equal(lineAt(original, original.indexOf('l3')), 3);
  const r = replaceExactPassage(original, 'l3\n', 'L3\nL3b\n');
  assert.ok(r.ok);
  const diff = diffExcerpt('f.txt', original, r);
  assert.equal(diff, ['--- f.txt', '+++ f.txt', '@@ line 3 @@', '-l3', '+L3', '+L3b'].join('\n'));
});

test('a long diff excerpt is clipped with a count of what it left out', () => {
  const original = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
  const r = replaceExactPassage(original, original, 'short');
  assert.ok(r.ok);
  const diff = diffExcerpt('big.txt', original, r);
  assert.match(diff, /… 80 more lines …/);
  assert.ok(diff.split('\n').length < 30);
});

test('a content summary gives size, line count and the first lines', () => {
  const s = contentSummary('a\nb\nc\nd', 2);
  assert.equal(s, '7 bytes, 4 lines:\na\nb\n… 2 more lines');
  assert.match(contentSummary('é'), /^2 bytes, 1 line:/);
});
