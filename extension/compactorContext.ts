import { join } from 'node:path';
import * as vscode from 'vscode';
import { registerChatParticipant } from './chat/participant';
import { registerCommands } from './commands/registerCommands';
import { Configuration } from './config/configuration';
import { createEngineClient, type EngineClient } from './engine/engineClient';
import { SessionService } from './sessions/sessionService';
import { SessionStore } from './sessions/sessionStore';
import { Telemetry } from './telemetry/telemetry';
import { registerTools } from './tools/registerTools';

/**
 * Owns the long-lived parts of the extension. Two disposal lists: one for the
 * extension's lifetime, one for the compaction server client's lifetime (so the
 * server can restart without leaking its listeners).
 */
export class CompactorContext {
  readonly output: vscode.LogOutputChannel;
  readonly config: Configuration;
  readonly engine: EngineClient;
  readonly sessions: SessionService;
  /** Compaction events to PostHog, gated by VS Code's telemetry level (extension/telemetry/). */
  readonly telemetry: Telemetry;
  private readonly extensionDisposables: vscode.Disposable[] = [];
  readonly clientDisposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Context Compactor', { log: true });
    this.config = new Configuration(this.output);
    // The compaction server starts lazily, on the first request that needs it.
    this.engine = createEngineClient(this);
    const storage = extension.storageUri ?? extension.globalStorageUri;
    const store = new SessionStore(join(storage.fsPath, 'sessions'));
    this.sessions = new SessionService(store, this.engine, this.config, this.output);
    this.telemetry = Telemetry.create(extension, this.sessions, this.output);
    this.extensionDisposables.push(
      this.output,
      this.config,
      this.engine,
      this.sessions,
      this.config.onDidChange(({ restartServer }) => {
        if (restartServer && this.engine.status.state !== 'stopped') void this.engine.restart();
      }),
      registerTools(),
      registerChatParticipant(this),
      registerCommands(this),
    );
    this.output.info(`Context Compactor ${extension.extension.packageJSON.version as string} activated; sessions in ${storage.fsPath}`);
  }

  async dispose(): Promise<void> {
    // First, while the output channel still exists: pending events go out within 2 s, errors are logged, never thrown.
    await this.telemetry.shutdown().catch(() => undefined);
    for (const d of [...this.clientDisposables.splice(0), ...this.extensionDisposables.splice(0)].reverse()) {
      try {
        d.dispose();
      } catch (err) {
        console.error('[compactor] dispose failed', err);
      }
    }
  }
}
