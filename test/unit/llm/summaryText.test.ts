import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SUMMARY_MARKER } from '../../../src/compaction/llm/llmConstants';
import { checkSummary, hasMarker, isErrorText, stripAnalysis, stripMarker, withMarker } from '../../../src/compaction/llm/summaryText';

test('stripAnalysis keeps the <summary> body, drops the scratchpad, and treats an unclosed scratchpad as no summary', () => {
  assert.equal(stripAnalysis('<analysis>think</analysis>\n<summary>\n## A\n- x\n</summary>'), '## A\n- x');
  assert.equal(stripAnalysis('<analysis>think</analysis>\n## A\n- x'), '## A\n- x');
  assert.equal(stripAnalysis('<analysis>ran out of tok'), '');
  assert.equal(stripAnalysis('<summary>\n## A\n- cut off'), '## A\n- cut off', 'an unclosed <summary> keeps what it has');
});

test('isErrorText recognises API errors echoed as text, not summaries that mention errors', () => {
  for (const t of ['Error: overloaded', 'API Error: 500', 'error 429 too many requests', '{"error":{"message":"x"}}', '{"type":"error"}']) assert.ok(isErrorText(t), t);
  for (const t of ['## Errors and fixes\n- Error: x was fixed', '{"summary": "ok"}', '{not json}']) assert.ok(!isErrorText(t), t);
});

test('checkSummary names empty and error answers and strips a marker the model echoed', () => {
  assert.deepEqual(checkSummary('   '), { ok: false, problem: 'empty', detail: 'the model returned no text' });
  assert.equal(checkSummary('<analysis>x</analysis>').ok, false);
  assert.equal((checkSummary('<summary>Error: quota exceeded</summary>') as { problem?: string }).problem, 'error_text');
  assert.deepEqual(checkSummary(`<summary>${SUMMARY_MARKER}\n## A</summary>`), { ok: true, text: '## A' });
});

test('the marker round-trips', () => {
  const s = withMarker('## A');
  assert.ok(hasMarker(s) && !hasMarker('## A'));
  assert.equal(stripMarker(s), '## A');
  assert.equal(stripMarker('plain summary'), 'plain summary');
});

test('every LLM summary says earlier details can be recalled, once, however often it is updated', () => {
  const s = withMarker('## A');
  assert.match(s, /can be recalled with compactor_recall by id or search/);
  const updated = withMarker(stripMarker(s));
  assert.equal(updated, s, 'stripping and re-marking gives the same text: the note is not repeated');
  assert.equal(stripMarker(s), '## A');
});
