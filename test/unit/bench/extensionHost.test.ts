/**
 * The extension-host bench's transcript (bench/speed/extensionHost.ts,
 * toOpenAI) must read back through the OpenAI importer as the same messages,
 * or the bench would measure a different session than it reports.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { importTranscript } from '../../../src/compaction/importers';
import { toOpenAI } from '../../../bench/speed/extensionHost';
import { call, codingSession, estimate, result } from '../compaction/fixtures';

test('toOpenAI: the transcript imports back to the same roles, texts, tool calls and results', () => {
  const log = codingSession(3, 300);
  log.records.push(call('x1', 'cx', 'grep', { pattern: 'TODO' }, 'searching'), result('x2', 'cx', 'grep', 'no matches'));
  const { log: back, warnings } = importTranscript(JSON.stringify({ messages: toOpenAI(log) }), { counter: estimate, fileName: 't.json' });
  assert.deepEqual(warnings, []);
  const shape = (l: typeof log) =>
    l.records.flatMap((r) => (r.type === 'message' ? [{ role: r.role, parts: r.parts.map((p) => (p.type === 'tool_result' ? { ...p, name: undefined, isError: undefined } : p)) }] : []));
  assert.deepEqual(shape(back), shape(log));
});
