/**
 * The extension host's handle on the compaction server (src/compaction/server):
 * a LanguageClient over ipc, started lazily on the first request (not at
 * activation), restarted with backoff when the server crashes
 * (restartPolicy.ts), and typed methods that fail with EngineUnavailableError
 * while the server is down, so callers can say why an action cannot run yet.
 *
 * Lifetimes: the EngineClient itself (its output channel, state event, crash
 * history) lives as long as the extension. Each LanguageClient it starts lives
 * in the host's `clientDisposables`, which are disposed before the next one
 * starts, so a restart leaks nothing.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  Trace,
  TransportKind,
} from 'vscode-languageclient/node';
import {
  type CompactParamsInput,
  CompactResponse,
  type CountParamsInput,
  type CountResult,
  type ImportParamsInput,
  type ImportResult,
  type PlanParamsInput,
  type PlanResult,
  type TranscriptOptions,
  type UsageParamsInput,
  type UsageResult,
} from '../../src/compaction/protocol';
import type { BodyRecord } from '../../src/compaction/records';
import { CompactRequest, CountRequest, ImportRecordsProgress, ImportRequest, PlanRequest, UsageRequest } from '../../src/compaction/server/requests';
import type { Configuration } from '../config/configuration';
import { EngineUnavailableError, toEngineError } from './engineErrors';
import { decideRestart, DEFAULT_RESTART_POLICY, mayStartAgain, type RestartPolicy } from './restartPolicy';
import { errorMessage } from '../../src/compaction/errors';

export const ENGINE_CLIENT_ID = 'compactor.engine';
export const ENGINE_OUTPUT_NAME = 'Context Compactor Engine';

/** `stopped`: not started yet (lazy) or disposed. `unavailable`: crashed, restarting or given up; `reason` says which. */
export type EngineState = 'stopped' | 'starting' | 'running' | 'unavailable';
export interface EngineStatus {
  state: EngineState;
  /** One sentence for the user when unavailable. */
  reason?: string;
}

export type EngineTrace = 'off' | 'messages' | 'verbose';

/** How long a stopping server may take to answer `shutdown` before it is killed. */
const STOP_TIMEOUT_MS = 2000;

/** What EngineClient needs from CompactorContext. */
export interface EngineHost {
  readonly extension: vscode.ExtensionContext;
  /** The settings owner: `compactor.engine.trace` and `compactor.transcript.*`. */
  readonly config: Pick<Configuration, 'settings' | 'onDidChange'>;
  readonly clientDisposables: vscode.Disposable[];
}

export interface EngineClientOptions {
  policy?: RestartPolicy;
  /** Defaults to reading `compactor.engine.trace` through the settings module. */
  trace?: () => EngineTrace;
}

/**
 * The trace channel handed to the LanguageClient. vscode-languageclient 11
 * traces only when its trace channel's log level is Trace; this view of the
 * engine channel reports Trace while the setting asks for tracing and writes
 * the trace lines at info level, so the setting alone turns tracing on.
 */
function traceChannelOver(output: vscode.LogOutputChannel, trace: () => EngineTrace): vscode.LogOutputChannel {
  return new Proxy(output, {
    get(target, prop) {
      if (prop === 'logLevel') return trace() !== 'off' ? vscode.LogLevel.Trace : target.logLevel;
      if (prop === 'trace') return (message: string) => (trace() !== 'off' ? target.info(message) : target.trace(message));
      if (prop === 'dispose') return () => undefined; // the engine channel outlives every client
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The documents the transcript features are for: every JSONL document (the
 * extension's own session logs, Claude Code's `~/.claude/projects/**.jsonl`,
 * any other). The server answers nothing for JSONL that is no transcript.
 */
export const TRANSCRIPT_SELECTOR = [
  { language: 'jsonl' },
  { scheme: 'file', pattern: '**/*.jsonl' },
];

export function isTranscriptCandidate(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(TRANSCRIPT_SELECTOR, doc) > 0;
}

export class EngineClient implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  private readonly emitter = new vscode.EventEmitter<EngineStatus>();
  /** Fires on every state change; the gauge shows "engine unavailable" and recovers on `running`. */
  readonly onDidChangeState = this.emitter.event;
  private current: EngineStatus = { state: 'stopped' };
  private client: LanguageClient | undefined;
  /** Stops and disposes `client`, once; also what `clientDisposables` calls. */
  private stopCurrent: (() => Promise<void>) | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private crashes: number[] = [];
  private gaveUp = false;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly policy: RestartPolicy;
  private readonly trace: () => EngineTrace;
  private readonly listeners: vscode.Disposable[] = [];

  constructor(
    private readonly host: EngineHost,
    options: EngineClientOptions = {},
  ) {
    this.policy = options.policy ?? DEFAULT_RESTART_POLICY;
    this.trace = options.trace ?? (() => host.config.settings.engineTrace);
    this.output = vscode.window.createOutputChannel(ENGINE_OUTPUT_NAME, { log: true });
    // Lazy otherwise, the server starts when a JSONL document opens, so its transcript features apply.
    this.listeners.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.startForDocument(doc)),
      host.config.onDidChange((change) => {
        if (change.transcript) this.sendTranscriptOptions();
      }),
    );
    for (const doc of vscode.workspace.textDocuments) this.startForDocument(doc);
  }

  /** Starts the server for a JSONL document unless it is already up (or down for a reason of its own). */
  private startForDocument(doc: vscode.TextDocument): void {
    if (this.disposed || this.current.state !== 'stopped' || this.starting || !isTranscriptCandidate(doc)) return;
    this.start().catch((err: unknown) => this.output.error(`start for ${doc.uri.toString()} failed: ${errorMessage(err)}`));
  }

  /** client → server `workspace/didChangeConfiguration` with the transcript options (the server re-checks open documents). */
  private sendTranscriptOptions(): void {
    const client = this.client;
    if (!client || this.current.state !== 'running') return; // the next start sends them in initializationOptions
    client
      .sendNotification('workspace/didChangeConfiguration', { settings: { transcript: this.transcriptOptions() } })
      .catch((err: unknown) => this.output.error(`could not send the transcript options: ${errorMessage(err)}`));
  }

  /** The transcript features' options (validated by the settings owner; the server validates them again). */
  private transcriptOptions(): TranscriptOptions {
    return { largeToolResultPercent: this.host.config.settings.transcript.largeToolResultPercent };
  }

  get status(): EngineStatus {
    return this.current;
  }

  /** client → server `compaction/count`. */
  count(params: CountParamsInput, token?: vscode.CancellationToken): Promise<CountResult> {
    return this.request(CountRequest, (c) => c.sendRequest(CountRequest, params, token));
  }

  /** client → server `compaction/usage`. */
  usage(params: UsageParamsInput, token?: vscode.CancellationToken): Promise<UsageResult> {
    return this.request(UsageRequest, (c) => c.sendRequest(UsageRequest, params, token));
  }

  /** client → server `compaction/plan`. */
  plan(params: PlanParamsInput, token?: vscode.CancellationToken): Promise<PlanResult> {
    return this.request(PlanRequest, (c) => c.sendRequest(PlanRequest, params, token));
  }

  /** client → server `compaction/compact`. The caller appends `record` when status is `compacted`. */
  compact(params: CompactParamsInput, token?: vscode.CancellationToken): Promise<CompactResponse> {
    return this.request(CompactRequest, (c) => c.sendRequest(CompactRequest, params, token));
  }

  /**
   * client → server `compaction/import`: the server reads, imports and counts
   * the transcript; the caller stores the session. The records come as
   * partial results (pages parsed one per message), so a large transcript
   * never arrives as one message the extension host parses in one go.
   */
  importTranscript(params: Omit<ImportParamsInput, 'partialResultToken'>, token?: vscode.CancellationToken): Promise<ImportResult> {
    return this.request(ImportRequest, async (c) => {
      const partialResultToken = randomUUID();
      const records: BodyRecord[] = [];
      const pages = c.onProgress(ImportRecordsProgress, partialResultToken, (page) => {
        for (const r of page) records.push(r);
      });
      try {
        const result = await c.sendRequest(ImportRequest, { ...params, partialResultToken }, token);
        return { ...result, records: [...records, ...result.records] };
      } finally {
        pages.dispose();
      }
    });
  }

  /** Stops the server (if running) and starts a fresh one; clears the crash history. For a command and for restart-needing settings. */
  async restart(): Promise<void> {
    this.crashes = [];
    this.gaveUp = false;
    this.clearRestartTimer();
    await this.starting?.catch(() => undefined);
    await this.stopClient();
    await this.start();
  }

  /** Sends one request once the server runs; every failure becomes an EngineUnavailableError or EngineRequestError. */
  private async request<R>(type: { method: string }, send: (client: LanguageClient) => Promise<R>): Promise<R> {
    const client = await this.running(type.method);
    try {
      return await send(client);
    } catch (err) {
      throw toEngineError(type.method, err);
    }
  }

  /** The running client, starting it when allowed; otherwise why not. */
  private async running(method: string): Promise<LanguageClient> {
    if (this.disposed) throw new EngineUnavailableError('disposed', 'The compaction engine has shut down with the extension.');
    if (this.starting) return this.starting;
    if (this.client && this.current.state === 'running') return this.client;
    if (this.restartTimer) {
      throw new EngineUnavailableError('restarting', `The compaction engine is restarting after a crash; ${method} can run in a moment.`);
    }
    if (this.gaveUp && !mayStartAgain(this.crashes, Date.now(), this.policy)) {
      throw new EngineUnavailableError(
        'stopped',
        `The compaction engine stopped after repeated crashes; see the "${ENGINE_OUTPUT_NAME}" output, or restart the engine.`,
      );
    }
    return this.start();
  }

  private start(): Promise<LanguageClient> {
    if (this.starting) return this.starting;
    const starting = this.startClient().finally(() => {
      if (this.starting === starting) this.starting = undefined;
    });
    this.starting = starting;
    return starting;
  }

  private async startClient(): Promise<LanguageClient> {
    await this.stopClient();
    this.gaveUp = false;
    this.setStatus({ state: 'starting' });
    const client = this.createLanguageClient();
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= client.dispose(STOP_TIMEOUT_MS).catch(() => undefined));
    this.client = client;
    this.stopCurrent = stop;
    this.host.clientDisposables.push({ dispose: () => void stop() });
    try {
      await client.start();
    } catch (err) {
      const message = errorMessage(err);
      this.output.error(`compaction server failed to start: ${message}`);
      // A crash during start is handled (and possibly retried) by onCrash; anything else ends here.
      if (this.current.state === 'starting') this.setStatus({ state: 'unavailable', reason: `the engine failed to start: ${message}` });
      throw new EngineUnavailableError('start_failed', `The compaction engine failed to start: ${message}. See the "${ENGINE_OUTPUT_NAME}" output.`);
    }
    const trace = this.trace();
    if (trace === 'verbose') {
      // The client resets its trace to `messages` on every configuration change; put verbose back (our listener runs after its own).
      await client.setTrace(Trace.Verbose);
      this.host.clientDisposables.push(
        vscode.workspace.onDidChangeConfiguration(() => void client.setTrace(Trace.Verbose).catch(() => undefined)),
      );
    }
    this.output.info(`compaction server running (trace: ${trace})`);
    this.setStatus({ state: 'running' });
    return client;
  }

  private createLanguageClient(): LanguageClient {
    const module = this.host.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      // The transcript language features: every JSONL document (the server stays silent on non-transcripts).
      documentSelector: TRANSCRIPT_SELECTOR,
      initializationOptions: () => ({ transcript: this.transcriptOptions() }),
      outputChannel: this.output,
      traceOutputChannel: traceChannelOver(this.output, this.trace),
      // The engine's own messages (crash notices, our error dialog) replace the client's popups.
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      errorHandler: {
        error: (_error, _message, count) =>
          (count ?? 0) <= 3 ? { action: ErrorAction.Continue, handled: true } : { action: ErrorAction.Shutdown, handled: true },
        closed: () => {
          if (this.disposed || this.client !== client) return { action: CloseAction.DoNotRestart, handled: true };
          this.onCrash();
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new LanguageClient(ENGINE_CLIENT_ID, ENGINE_OUTPUT_NAME, serverOptions, clientOptions);
    return client;
  }

  /** The server process went away without being asked to: restart after a backoff, or give up and say so. */
  private onCrash(): void {
    const decision = decideRestart(this.crashes, Date.now(), this.policy);
    this.crashes = decision.crashes;
    if (decision.restart) {
      this.output.warn(
        `compaction server stopped unexpectedly; restarting in ${decision.delayMs} ms (restart ${decision.attempt} of ${this.policy.maxRestarts})`,
      );
      this.setStatus({ state: 'unavailable', reason: 'the engine crashed and is restarting' });
      this.clearRestartTimer();
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        this.start().catch((err: unknown) => this.output.error(`restart failed: ${errorMessage(err)}`));
      }, decision.delayMs);
      return;
    }
    this.gaveUp = true;
    this.output.error(`compaction server stopped: ${decision.reason}; not restarting it.`);
    this.setStatus({ state: 'unavailable', reason: `the engine stopped after repeated crashes (${decision.reason})` });
    void vscode.window.showErrorMessage('Context Compactor engine stopped after repeated crashes', 'Open Output').then((choice) => {
      if (choice === 'Open Output') this.output.show();
    });
  }

  /** Disposes the current client and everything registered for its lifetime. */
  private async stopClient(): Promise<void> {
    const stop = this.stopCurrent;
    this.client = undefined;
    this.stopCurrent = undefined;
    const disposables = this.host.clientDisposables.splice(0);
    for (const d of disposables.reverse()) {
      try {
        d.dispose();
      } catch (err) {
        this.output.error(`dispose failed: ${errorMessage(err)}`);
      }
    }
    await stop?.();
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private setStatus(status: EngineStatus): void {
    if (status.state === this.current.state && status.reason === this.current.reason) return;
    this.current = status;
    this.emitter.fire(status);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.listeners.splice(0)) l.dispose();
    this.clearRestartTimer();
    void this.stopClient();
    this.setStatus({ state: 'stopped' });
    this.emitter.dispose();
    this.output.dispose();
  }
}

/** Creates the engine client; the caller registers it for the extension's lifetime. Nothing starts until the first request. */
export function createEngineClient(host: EngineHost, options?: EngineClientOptions): EngineClient {
  return new EngineClient(host, options);
}
