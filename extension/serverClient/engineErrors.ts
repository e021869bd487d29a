/**
 * The errors EngineClient's methods reject with. Pure (no vscode), so the
 * mapping from what the RPC layer throws is unit-tested in plain Node.
 *
 * - EngineUnavailableError: the server is not running (not started yet and
 *   could not start, restarting after a crash, stopped after repeated crashes,
 *   disposed). Nothing was sent or the answer was lost; the caller says why
 *   the action cannot run yet and may retry later. Nothing in the session is lost.
 * - EngineRequestError: the server answered with a typed error (protocol.ts):
 *   InvalidParams (a bug in the caller: `issues` names the fields),
 *   EngineError (`status` names why), RequestCancelled.
 */
import { EngineErrorCodes, type ErrorData, ErrorDataSchema } from '../../src/compaction/protocol';

export type UnavailableReason = 'start_failed' | 'restarting' | 'stopped' | 'disposed' | 'connection_lost';

export class EngineUnavailableError extends Error {
  constructor(
    readonly reason: UnavailableReason,
    message: string,
  ) {
    super(message);
    this.name = 'EngineUnavailableError';
  }
}

export class EngineRequestError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    /** Validated against the protocol; undefined when the server sent something else. */
    readonly data: ErrorData | undefined,
  ) {
    super(message);
    this.name = 'EngineRequestError';
  }

  get cancelled(): boolean {
    return this.code === EngineErrorCodes.RequestCancelled;
  }
}

/** vscode-jsonrpc's codes for a connection that is gone (ErrorCodes in messages.d.ts, ConnectionErrors in connection.d.ts). */
const CONNECTION_GONE_CODES = new Set([
  1, // ConnectionErrors.Closed
  2, // ConnectionErrors.Disposed
  -32099, // MessageWriteError
  -32098, // MessageReadError
  -32097, // PendingResponseRejected: the connection closed while the request was pending
  -32096, // ConnectionInactive: the client is not running
]);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  data?: unknown;
}

/** What a failed `sendRequest` becomes: one of the two errors above, or the original for anything else. */
export function toEngineError(method: string, err: unknown): Error {
  if (err instanceof EngineUnavailableError || err instanceof EngineRequestError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.code === 'number') {
    if (CONNECTION_GONE_CODES.has(e.code)) {
      return new EngineUnavailableError('connection_lost', `The compaction engine stopped while answering ${method}: ${message}`);
    }
    const data = ErrorDataSchema.safeParse(e.data);
    return new EngineRequestError(method, e.code, message, data.success ? data.data : undefined);
  }
  if (/connection (is|got) disposed|not running/i.test(message)) {
    return new EngineUnavailableError('connection_lost', `The compaction engine is not running (${method}): ${message}`);
  }
  return err instanceof Error ? err : new Error(message);
}
