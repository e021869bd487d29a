/**
 * A small stand-in for the `vscode` module, so the extension host's middle
 * layer (SessionService, SessionCompactions, EngineClient) runs in unit tests
 * in seconds. Only what those classes touch at run time is here; anything
 * else throws, so a test never passes by silently skipping real behaviour.
 * `test/unit/fakes/resolveVscode.cjs` makes `require('vscode')` load this file.
 */
type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  private cancelled = false;
  readonly token: { readonly isCancellationRequested: boolean; onCancellationRequested: EventEmitter<void>['event'] };
  constructor() {
    const isCancelled = () => this.cancelled;
    this.token = {
      get isCancellationRequested() {
        return isCancelled();
      },
      onCancellationRequested: this.emitter.event,
    };
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export enum LogLevel {
  Off = 0,
  Trace = 1,
  Debug = 2,
  Info = 3,
  Warning = 4,
  Error = 5,
}

/** A log output channel that keeps its lines, for assertions. */
export class FakeLogChannel {
  readonly lines: string[] = [];
  logLevel = LogLevel.Info;
  constructor(readonly name: string) {}
  trace(m: string): void {
    this.lines.push(`trace ${m}`);
  }
  debug(m: string): void {
    this.lines.push(`debug ${m}`);
  }
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
  error(m: string | Error): void {
    this.lines.push(`error ${String(m)}`);
  }
  append(m: string): void {
    this.lines.push(m);
  }
  appendLine(m: string): void {
    this.lines.push(m);
  }
  show(): void {}
  clear(): void {}
  dispose(): void {}
}

const configurationListeners = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();
const openListeners = new EventEmitter<unknown>();

export const window = {
  createOutputChannel: (name: string) => new FakeLogChannel(name),
  showWarningMessage: async () => undefined,
  showErrorMessage: async () => undefined,
  showInformationMessage: async () => undefined,
};

export const workspace = {
  textDocuments: [] as unknown[],
  onDidOpenTextDocument: openListeners.event,
  onDidChangeConfiguration: configurationListeners.event,
  getConfiguration: () => ({ get: () => undefined }),
};

/** No language models are installed: compactions fall back to the engine's deterministic tiers. */
export const lm = {
  selectChatModels: async (): Promise<never[]> => [],
  get tools(): never {
    throw new Error('fake vscode: vscode.lm.tools is not available in unit tests');
  },
};

export const commands = {
  executeCommand: async () => undefined,
};
