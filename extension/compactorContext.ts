import { join } from 'node:path';
import * as vscode from 'vscode';
import { registerChatParticipant } from './chat/participant';
import { CompactionPreviews } from './commands/compactionPreview';
import { registerCommands } from './commands/registerCommands';
import { Configuration } from './config/configuration';
import { createEngineClient, type EngineClient } from './serverClient/engineClient';
import { IdleCompaction } from './sessions/idleCompaction';
import { SessionService } from './sessions/sessionService';
import { SessionStore } from './sessions/sessionStore';
import { Telemetry } from './telemetry/telemetry';
import { registerTools } from './tools/registerTools';
import { UsageGauge } from './ui/usageGauge';
import { BeforeAfterDocuments } from './ui/beforeAfterDocuments';
import { ContextViewProvider } from './webview/contextViewProvider';
import { errorMessage } from '../src/compaction/errors';

const ACTIVE_SESSION_KEY = 'compactor.activeSession';
const DEMO_IMPORTED_KEY = 'compactor.demoImported';
/** Set by `scripts/demo.sh`: a transcript to import as the demo session on first start. */
const DEMO_TRANSCRIPT_ENV = 'COMPACTOR_DEMO_TRANSCRIPT';

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
  /** Compacts sessions left idle past `compactor.idleCompaction.afterMinutes` (off by default). */
  readonly idle: IdleCompaction;
  /** Proposed compactions a person reviews before they apply (`compactor.compaction.preview`). */
  readonly previews: CompactionPreviews;
  /**
   * Settles when the session worked in last is active again (and, in the demo, its
   * transcript imported: seconds on a first start). Commands that act on the
   * active session wait for it instead of saying there is none.
   */
  readonly sessionsRestored: Promise<void>;
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
    this.telemetry = Telemetry.create(extension, this.sessions, this.config, this.output);
    this.idle = new IdleCompaction(this);
    this.previews = new CompactionPreviews(this);
    this.extensionDisposables.push(
      this.output,
      this.config,
      this.engine,
      this.sessions,
      this.idle,
      this.previews,
      this.config.onDidChange(({ restartServer }) => {
        if (restartServer && this.engine.status.state !== 'stopped') void this.engine.restart();
      }),
      registerTools(this.sessions),
      registerChatParticipant(this),
      registerCommands(this),
      new UsageGauge(this),
      new ContextViewProvider(this),
      new BeforeAfterDocuments(this.sessions),
    );
    this.output.info(`Context Compactor ${extension.extension.packageJSON.version as string} activated; sessions in ${storage.fsPath}`);
    this.sessionsRestored = this.restoreSessions();
  }

  /** The session worked in last becomes active again; the demo's transcript is imported once. */
  private async restoreSessions(): Promise<void> {
    try {
      const demo = process.env[DEMO_TRANSCRIPT_ENV];
      if (demo && this.extension.workspaceState.get<string>(DEMO_IMPORTED_KEY) !== demo) {
        const id = await vscode.commands.executeCommand<string | undefined>('compactor.importTranscript', demo);
        if (id) await this.extension.workspaceState.update(DEMO_IMPORTED_KEY, demo);
      }
      await this.sessions.restoreActive(this.extension.workspaceState.get<string>(ACTIVE_SESSION_KEY), (id) => {
        void this.extension.workspaceState.update(ACTIVE_SESSION_KEY, id);
      });
    } catch (err) {
      this.output.error(`could not restore sessions: ${errorMessage(err)}`);
    }
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
