/**
 * Registers the compaction requests on a connection. Each handler validates
 * its params with the schema from protocol.ts on arrival, runs the engine
 * service and maps every failure to a typed `ResponseError`:
 *
 * - schema failure / ParamsFailure → InvalidParams, the message naming each field
 * - EngineFailure                  → EngineError with its named status
 * - anything else                  → EngineError `internal` (stack logged here)
 * - cancelled before or while running → RequestCancelled
 *
 * A failed request never takes the server down and never answers with an
 * empty result.
 */
import { type CancellationToken, type Connection, ProgressType, ResponseError } from 'vscode-languageserver/node';
import type * as z from 'zod';
import {
  CompactParamsSchema,
  CountParamsSchema,
  describeIssues,
  EngineErrorCodes,
  type ErrorData,
  IMPORT_PAGE_CHARS,
  IMPORT_PAGE_GAP_MS,
  ImportParamsSchema,
  Methods,
  PlanParamsSchema,
  UsageParamsSchema,
} from '../protocol';
import type { BodyRecord } from '../records';
import { EngineFailure, type EngineService, ParamsFailure } from './engineService';
import { errorMessage } from '../errors';

export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

/** Runs one request: parse, run (synchronously or not), map failures. Exported for tests of the mapping. */
export function runRequest<S extends z.ZodType, R>(
  method: string,
  schema: S,
  raw: unknown,
  token: CancellationToken | undefined,
  run: (params: z.output<S>) => R | Promise<R>,
  log: Logger,
): R | ResponseError<ErrorData> | Promise<R | ResponseError<ErrorData>> {
  const cancelled = () => new ResponseError<ErrorData>(EngineErrorCodes.RequestCancelled, `${method}: cancelled`, { kind: 'RequestCancelled', method });
  if (token?.isCancellationRequested) return cancelled();
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { message, data } = describeIssues(method, parsed.error);
    log.info(message);
    return new ResponseError<ErrorData>(EngineErrorCodes.InvalidParams, message, data);
  }
  const done = (result: R) => (token?.isCancellationRequested ? cancelled() : result);
  try {
    const result = run(parsed.data);
    if (result instanceof Promise) return result.then(done, (err: unknown) => failure(method, err, log));
    return done(result);
  } catch (err) {
    return failure(method, err, log);
  }
}

/** What a handler's exception becomes (see the file comment). */
function failure(method: string, err: unknown, log: Logger): ResponseError<ErrorData> {
  if (err instanceof ParamsFailure) {
    const message = `${method}: invalid params: ${err.path}: ${err.message}`;
    log.info(message);
    return new ResponseError<ErrorData>(EngineErrorCodes.InvalidParams, message, {
      kind: 'InvalidParams',
      method,
      issues: [{ path: err.path, message: err.message }],
    });
  }
  if (err instanceof EngineFailure) {
    const message = `${method}: ${err.status}: ${err.message}`;
    log.error(message);
    return new ResponseError<ErrorData>(EngineErrorCodes.EngineError, message, {
      kind: 'EngineError',
      method,
      status: err.status,
      ...(err.reason !== undefined ? { reason: err.reason } : {}),
    });
  }
  const detail = errorMessage(err);
  log.error(`${method} failed: ${err instanceof Error && err.stack ? err.stack : detail}`);
  return new ResponseError<ErrorData>(EngineErrorCodes.EngineError, `${method}: internal engine error: ${detail}`, {
    kind: 'EngineError',
    method,
    status: 'internal',
  });
}

/** Records in pages of about `maxChars` characters of JSON each (one record over that is a page of its own); never an empty page. */
export function recordPages(records: readonly BodyRecord[], maxChars: number): BodyRecord[][] {
  const pages: BodyRecord[][] = [];
  let page: BodyRecord[] = [];
  let chars = 0;
  for (const r of records) {
    const size = JSON.stringify(r).length;
    if (page.length > 0 && chars + size > maxChars) {
      pages.push(page);
      page = [];
      chars = 0;
    }
    page.push(r);
    chars += size;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/** server → client: a page of an import's records (protocol.ts, compaction/import). */
const ImportRecordsProgress = new ProgressType<BodyRecord[]>();

export function registerHandlers(connection: Connection, service: EngineService, log: Logger): void {
  const on = <S extends z.ZodType, R extends object>(method: string, schema: S, run: (params: z.output<S>) => R | Promise<R>) =>
    connection.onRequest<object, ErrorData>(method, (raw: unknown, token: CancellationToken) => runRequest(method, schema, raw, token, run, log));
  on(Methods.count, CountParamsSchema, (p) => service.count(p));
  on(Methods.usage, UsageParamsSchema, (p) => service.usage(p));
  on(Methods.plan, PlanParamsSchema, (p) => service.plan(p));
  on(Methods.compact, CompactParamsSchema, (p) => service.compact(p));
  on(Methods.import, ImportParamsSchema, async (p) => {
    const result = await service.import(p);
    const token = p.partialResultToken;
    if (token === undefined) return result;
    for (const [i, page] of recordPages(result.records, IMPORT_PAGE_CHARS).entries()) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, IMPORT_PAGE_GAP_MS));
      await connection.sendProgress(ImportRecordsProgress, token, page);
    }
    return { ...result, records: [] };
  });
}
