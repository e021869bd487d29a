import * as vscode from 'vscode';
import type { CompactorContext } from '../compactorContext';
import { idleFactsOf, IdleScheduler, type IdleStatus } from './idleScheduler';
import { errorMessage } from '../../src/compaction/errors';

/**
 * Connects the IdleScheduler to the extension: session events in, the
 * compaction pipeline (source `idle`) and telemetry out. Watches the active
 * session and every session with activity in this window.
 */
export class IdleCompaction implements vscode.Disposable {
  private readonly scheduler: IdleScheduler;
  private readonly statusEmitter = new vscode.EventEmitter<string>();
  /** A session's idle status changed (paused after failures, or resumed). */
  readonly onDidChangeStatus = this.statusEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(ctx: CompactorContext) {
    const { sessions } = ctx;
    this.scheduler = new IdleScheduler({
      settings: () => ctx.config.settings.idleCompaction,
      facts: (id) => {
        const log = sessions.peek(id);
        return log ? idleFactsOf(log, sessions.usage(log).used) : undefined;
      },
      isBusy: (id) => sessions.isBusy(id),
      // A compaction being prepared in the background counts as running: idle compaction and preparation never both run.
      isCompacting: (id) => sessions.compactions.isCompacting(id) || sessions.compactions.isPreparing(id),
      compact: async (id, signal) => {
        const cts = new vscode.CancellationTokenSource();
        const onAbort = () => cts.cancel();
        signal.addEventListener('abort', onAbort);
        if (signal.aborted) cts.cancel();
        try {
          // The session's chat model only when the user already used it in this window; otherwise deterministic.
          const result = await sessions.compactions.compactWithModel(id, { source: 'idle' }, sessions.chatModelOf(id), cts.token);
          if (result.status === 'compacted') ctx.output.info(`session ${id}: compacted while idle (${result.report.before.tokens} → ${result.report.after.tokens} tokens)`);
          else ctx.output.info(`session ${id}: idle compaction did not compact (${result.report.reason ?? result.status})`);
          return { status: result.status, ...(result.report.reason ? { reason: result.report.reason } : {}) };
        } catch (err) {
          ctx.output.warn(`session ${id}: idle compaction failed: ${errorMessage(err)}`);
          throw err;
        } finally {
          signal.removeEventListener('abort', onAbort);
          cts.dispose();
        }
      },
      statusChanged: (id) => this.statusEmitter.fire(id),
      log: (message) => ctx.output.info(message),
    });
    this.disposables.push(
      this.statusEmitter,
      sessions.onDidChangeActive((id) => {
        if (id) this.scheduler.track(id);
      }),
      sessions.onDidChange((e) => {
        if (e.kind === 'deleted') this.scheduler.untrack(e.sessionId);
        else if (e.kind === 'compaction') this.scheduler.compacted(e.sessionId);
        else if (e.kind === 'message' || e.kind === 'created' || e.kind === 'revert') this.scheduler.activity(e.sessionId);
      }),
      sessions.onDidChangeBusy((e) => this.scheduler.busyChanged(e.sessionId, e.busy)),
      sessions.compactions.onWillCompact((e) => this.scheduler.compactionStarting(e.sessionId, e.source)),
      ctx.config.onDidChange(() => this.scheduler.settingsChanged()),
    );
    if (sessions.activeSessionId) this.scheduler.track(sessions.activeSessionId);
  }

  status(id: string): IdleStatus {
    return this.scheduler.status(id);
  }

  dispose(): void {
    this.scheduler.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
