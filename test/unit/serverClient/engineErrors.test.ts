// What EngineClient rejects with (extension/serverClient/engineErrors.ts): typed
// server errors keep their code and validated data; a lost connection means
// the engine is unavailable, not that the request was wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc';
import { EngineRequestError, EngineUnavailableError, toEngineError } from '../../../extension/serverClient/engineErrors';
import { EngineErrorCodes } from '../../../src/compaction/protocol';

describe('toEngineError', () => {
  it('keeps an InvalidParams response with its issues', () => {
    const data = { kind: 'InvalidParams', method: 'compaction/count', issues: [{ path: 'texts.0', message: 'expected string' }] };
    const err = toEngineError('compaction/count', new ResponseError(EngineErrorCodes.InvalidParams, 'bad', data));
    assert.ok(err instanceof EngineRequestError);
    assert.equal(err.code, -32602);
    assert.deepEqual(err.data, data);
    assert.equal(err.cancelled, false);
  });

  it('keeps an EngineError status and drops data that does not match the protocol', () => {
    const ok = toEngineError('compaction/compact', new ResponseError(EngineErrorCodes.EngineError, 'x', { kind: 'EngineError', method: 'compaction/compact', status: 'invalid_log' }));
    assert.ok(ok instanceof EngineRequestError);
    assert.equal(ok.data?.kind === 'EngineError' ? ok.data.status : undefined, 'invalid_log');
    const odd = toEngineError('compaction/compact', new ResponseError(EngineErrorCodes.EngineError, 'x', { status: 42 }));
    assert.ok(odd instanceof EngineRequestError);
    assert.equal(odd.data, undefined);
  });

  it('marks a cancelled request', () => {
    const err = toEngineError('compaction/usage', new ResponseError(EngineErrorCodes.RequestCancelled, 'cancelled'));
    assert.ok(err instanceof EngineRequestError && err.cancelled);
  });

  it('turns a lost connection into EngineUnavailableError', () => {
    for (const code of [ErrorCodes.PendingResponseRejected, ErrorCodes.ConnectionInactive, ErrorCodes.MessageWriteError]) {
      const err = toEngineError('compaction/plan', new ResponseError(code, 'gone'));
      assert.ok(err instanceof EngineUnavailableError, `code ${code}`);
      assert.equal(err.reason, 'connection_lost');
      assert.match(err.message, /compaction\/plan/);
    }
    assert.ok(toEngineError('compaction/plan', new Error('Connection is disposed.')) instanceof EngineUnavailableError);
  });

  it('passes other errors through unchanged', () => {
    const original = new TypeError('boom');
    assert.equal(toEngineError('compaction/plan', original), original);
  });
});
