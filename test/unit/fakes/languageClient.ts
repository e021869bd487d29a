/**
 * A stand-in for `vscode-languageclient/node` (loaded instead of it in unit
 * tests, see resolveVscode.cjs): a LanguageClient whose requests a test
 * answers and whose server process a test can "crash" (the client's
 * `errorHandler.closed`, as vscode-languageclient calls it). Every created
 * client is kept in `createdClients`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- mirrors a loosely typed library surface */
// The library's enums, with its values, but only the members EngineClient uses;
// `Trace` needs no vscode, so it is the real one (vscode-jsonrpc's, which the
// library re-exports).
export enum CloseAction {
  DoNotRestart = 1,
}
export enum ErrorAction {
  Continue = 1,
  Shutdown = 2,
}
export enum RevealOutputChannelOn {
  Never = 4,
}
export enum TransportKind {
  ipc = 1,
}
export { Trace } from 'vscode-jsonrpc';

export type RequestHandler = (method: string, params: unknown) => unknown;

export const createdClients: FakeLanguageClient[] = [];
/** How the next clients answer requests and starts; tests replace these. */
export const behaviour: { onRequest: RequestHandler; failStart: Error | undefined } = {
  onRequest: (method) => ({ method }),
  failStart: undefined,
};

export class FakeLanguageClient {
  readonly requests: Array<{ method: string; params: unknown }> = [];
  readonly notifications: Array<{ method: string; params: unknown }> = [];
  started = false;
  disposed = false;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly serverOptions: unknown,
    readonly clientOptions: any,
  ) {
    createdClients.push(this);
  }
  async start(): Promise<void> {
    if (behaviour.failStart) throw behaviour.failStart;
    this.started = true;
  }
  async dispose(): Promise<void> {
    this.disposed = true;
  }
  async setTrace(): Promise<void> {}
  async sendRequest(type: { method: string }, params: unknown): Promise<unknown> {
    if (this.disposed) throw Object.assign(new Error('Connection is closed.'), { code: 1 });
    this.requests.push({ method: type.method, params });
    return behaviour.onRequest(type.method, params);
  }
  async sendNotification(method: string, params: unknown): Promise<void> {
    this.notifications.push({ method, params });
  }
  onProgress(): { dispose(): void } {
    return { dispose: () => undefined };
  }
  /** The server process exits on its own (what a crash looks like to the client). */
  crash(): unknown {
    return this.clientOptions.errorHandler.closed();
  }
}
export { FakeLanguageClient as LanguageClient };
