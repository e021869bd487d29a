import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyModelFailure, reportedGapTokens } from '../../../extension/llm/modelErrorKinds';

test('refusals by code are model errors, whatever the message says', () => {
  for (const code of ['NoPermissions', 'Blocked', 'NotFound']) {
    assert.deepEqual(classifyModelFailure({ code, message: 'rate limit, too long', cancelled: false }), { kind: 'model_error' });
  }
});

test('"context too long" messages are prompt_too_long, with the gap when both numbers are given', () => {
  assert.deepEqual(classifyModelFailure({ message: 'prompt is too long: 210,000 tokens > 200,000 maximum', cancelled: false }), { kind: 'prompt_too_long', gapTokens: 10_000 });
  assert.deepEqual(
    classifyModelFailure({ message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130500 tokens.", cancelled: false }),
    { kind: 'prompt_too_long', gapTokens: 2_500 },
  );
  assert.deepEqual(classifyModelFailure({ code: 'Unknown', message: 'context_length_exceeded', cancelled: false }), { kind: 'prompt_too_long' });
  assert.equal(reportedGapTokens('too long'), undefined);
});

test('rate limits, overload and network failures are transient; anything else is a model error; a cancel wins', () => {
  for (const message of ['429 Too Many Requests', 'Rate limit reached', 'overloaded_error', 'ECONNRESET', 'Request timed out']) {
    assert.equal(classifyModelFailure({ message, cancelled: false }).kind, 'transient', message);
  }
  assert.equal(classifyModelFailure({ message: 'invalid api key', cancelled: false }).kind, 'model_error');
  assert.equal(classifyModelFailure({ code: 'Blocked', message: 'x', cancelled: true }).kind, 'aborted');
});
