/**
 * Starts the REAL compaction server as a child process and talks JSON-RPC to
 * it over stdio with vscode-jsonrpc, as the extension does over ipc.
 *
 * Two modes: `source` runs src/compaction/server/main.ts through tsx (works
 * from a clean clone, no build); `bundle` runs dist/server.js, the shipped
 * artefact (build it first with buildBundle()).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { createMessageConnection, type MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

export const ROOT = join(__dirname, '..', '..');
const SOURCE_ENTRY = join(ROOT, 'src', 'compaction', 'server', 'main.ts');
const BUNDLE_ENTRY = join(ROOT, 'dist', 'server.js');

export interface LogMessage {
  type: number;
  message: string;
}

export interface ServerHandle {
  connection: MessageConnection;
  child: ChildProcess;
  /** `window/logMessage` notifications received so far. */
  logs: LogMessage[];
  /** Everything the server wrote to stderr. */
  stderr: () => string;
  /** Resolves with the exit code (or the signal) when the process ends. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Sends `initialize` + `initialized`; returns the initialize result. */
  initialize(): Promise<InitializeResultLike>;
  /** Closes the connection and ends the process (kill if it does not exit in 2 s). */
  stop(): Promise<void>;
}

export interface InitializeResultLike {
  capabilities: { experimental?: { compaction?: { protocolVersion: number; methods: string[]; encodings: string[]; tiers: string[] } } };
  serverInfo?: { name: string; version?: string };
}

/** `bundle` may name another copy of dist/server.js (e.g. one moved away from node_modules). */
export function startServer(mode: 'source' | 'bundle' = 'source', bundle = BUNDLE_ENTRY): ServerHandle {
  const args = mode === 'source' ? ['--import', 'tsx', SOURCE_ENTRY, '--stdio'] : [bundle, '--stdio'];
  const child = spawn(process.execPath, args, { cwd: mode === 'source' ? ROOT : dirname(bundle), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const logs: LogMessage[] = [];
  connection.onNotification('window/logMessage', (p: LogMessage) => void logs.push(p));
  // A dead child makes writes fail; the tests look at request rejections, not at these.
  connection.onError(() => undefined);
  // As vscode-languageclient does: a closed connection is disposed, which rejects pending requests.
  connection.onClose(() => connection.dispose());
  connection.listen();
  return {
    connection,
    child,
    logs,
    stderr: () => stderr,
    exited,
    async initialize() {
      const result = await connection.sendRequest<InitializeResultLike>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      await connection.sendNotification('initialized', {});
      return result;
    },
    async stop() {
      connection.dispose();
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Builds the bundles with the project's own build (esbuild.mjs), as CI does. */
export function buildBundle(): void {
  execFileSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
}

/** The rejection of a request, asserted to be a ResponseError. */
export async function rejection(p: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ResponseError, `expected a ResponseError, got ${String(err)}`);
    return err;
  }
  assert.fail('the request succeeded; expected an error');
}
