/**
 * The typed JSON-RPC request objects, shared by the client (extension/engine),
 * the server and the server tests. Built from `../protocol.ts` (zod schemas and
 * plain types, no RPC library) so the engine stays free of the RPC packages.
 *
 * Imports only `vscode-jsonrpc`, the copy `vscode-languageclient` itself uses,
 * so `client.sendRequest(CountRequest, params)` type-checks on the client side.
 * The server does not register these objects directly: `vscode-languageserver`
 * ships its own, older copy of vscode-jsonrpc whose `RequestType` is a
 * different class to TypeScript. It registers by `method` name and validates
 * the params with the schema (`handlers.ts`), which is what a server must do
 * with input from another process anyway.
 */
import { ParameterStructures, ProgressType, RequestType } from 'vscode-jsonrpc';
import type { BodyRecord } from '../records';
import {
  type CompactParamsInput,
  type CompactResponse,
  type CountParamsInput,
  type CountResult,
  type ErrorData,
  type ImportParamsInput,
  type ImportResult,
  Methods,
  type PlanParamsInput,
  type PlanResult,
  type UsageParamsInput,
  type UsageResult,
} from '../protocol';

const byName = ParameterStructures.byName;

/** client → server: token counts. */
export const CountRequest = new RequestType<CountParamsInput, CountResult, ErrorData>(Methods.count, byName);
/** client → server: usage breakdown of a session against its budget. */
export const UsageRequest = new RequestType<UsageParamsInput, UsageResult, ErrorData>(Methods.usage, byName);
/** client → server: what compact would do, without the record. */
export const PlanRequest = new RequestType<PlanParamsInput, PlanResult, ErrorData>(Methods.plan, byName);
/** client → server: run the deterministic tiers; the record comes back to be appended. */
export const CompactRequest = new RequestType<CompactParamsInput, CompactResponse, ErrorData>(Methods.compact, byName);
/** client → server: read and import a transcript file; the session comes back to be stored. */
export const ImportRequest = new RequestType<ImportParamsInput, ImportResult, ErrorData>(Methods.import, byName);
/** server → client, with `partialResultToken`: a page of the import's records (`$/progress`). */
export const ImportRecordsProgress = new ProgressType<BodyRecord[]>();
