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
import { type CancellationToken, type Connection, ResponseError } from 'vscode-languageserver/node';
import type * as z from 'zod';
import {
  CompactParamsSchema,
  CountParamsSchema,
  describeIssues,
  EngineErrorCodes,
  type ErrorData,
  Methods,
  PlanParamsSchema,
  UsageParamsSchema,
} from '../protocol';
import { EngineFailure, type EngineService, ParamsFailure } from './engineService';

export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

/** Runs one request: parse, run, map failures. Exported for tests of the mapping. */
export function runRequest<S extends z.ZodType, R>(
  method: string,
  schema: S,
  raw: unknown,
  token: CancellationToken | undefined,
  run: (params: z.output<S>) => R,
  log: Logger,
): R | ResponseError<ErrorData> {
  const cancelled = () => new ResponseError<ErrorData>(EngineErrorCodes.RequestCancelled, `${method}: cancelled`, { kind: 'RequestCancelled', method });
  if (token?.isCancellationRequested) return cancelled();
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { message, data } = describeIssues(method, parsed.error);
    log.info(message);
    return new ResponseError<ErrorData>(EngineErrorCodes.InvalidParams, message, data);
  }
  try {
    const result = run(parsed.data);
    return token?.isCancellationRequested ? cancelled() : result;
  } catch (err) {
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
      return new ResponseError<ErrorData>(EngineErrorCodes.EngineError, message, { kind: 'EngineError', method, status: err.status });
    }
    const detail = err instanceof Error ? err.message : String(err);
    log.error(`${method} failed: ${err instanceof Error && err.stack ? err.stack : detail}`);
    return new ResponseError<ErrorData>(EngineErrorCodes.EngineError, `${method}: internal engine error: ${detail}`, {
      kind: 'EngineError',
      method,
      status: 'internal',
    });
  }
}

export function registerHandlers(connection: Connection, service: EngineService, log: Logger): void {
  const on = <S extends z.ZodType, R extends object>(method: string, schema: S, run: (params: z.output<S>) => R) =>
    connection.onRequest<object, ErrorData>(method, (raw: unknown, token: CancellationToken) => runRequest(method, schema, raw, token, run, log));
  on(Methods.count, CountParamsSchema, (p) => service.count(p));
  on(Methods.usage, UsageParamsSchema, (p) => service.usage(p));
  on(Methods.plan, PlanParamsSchema, (p) => service.plan(p));
  on(Methods.compact, CompactParamsSchema, (p) => service.compact(p));
}
