import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { activeCompaction } from '../../src/compaction/context';
import type { SessionLog } from '../../src/compaction/records';
import { sessionTotals, emptyTotals } from '../../src/compaction/report';
import type { CompactionReport, CompactionTotals } from '../../src/compaction/types';
import type { HostToWebview } from '../../webview/protocol';
import { SHOW_COMPACTION_COMMAND } from '../chat/compactionNotice';
import type { CompactorContext } from '../compactorContext';
import type { SessionSummary } from '../sessions/sessionSummary';
import { COMPACT_COMMAND } from '../ui/gaugeModel';
import { compactionLine, revertedLine } from '../ui/format';
import { buildViewState } from './viewModel';
import { dispatchWebviewMessage, escapeJsonForHtml, type WebviewActions } from './webviewMessages';
import { errorMessage } from '../../src/compaction/errors';

export const CONTEXT_VIEW_ID = 'compactor.contextView';

/**
 * The "Context" webview view: meter, chart, compaction history and actions for
 * the active session. The host owns all state; the webview draws what it is
 * sent (validated on both sides) and asks for actions. Updates are pushed only
 * while the view is visible, coalesced to one per event-loop turn.
 */
export class ContextViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly viewDisposables: vscode.Disposable[] = [];
  private scheduled = false;
  private busy = false;
  /** Totals of sessions that are not open, keyed by id, valid while `updatedAt` is unchanged. */
  private readonly totalsCache = new Map<string, { updatedAt: string; totals: CompactionTotals }>();

  constructor(private readonly ctx: CompactorContext) {
    this.disposables.push(
      vscode.window.registerWebviewViewProvider(CONTEXT_VIEW_ID, this),
      ctx.sessions.onDidChange(() => this.schedule()),
      ctx.sessions.onDidChangeActive(() => this.schedule()),
      ctx.config.onDidChange(() => this.schedule()),
      ctx.engine.onDidChangeState(() => this.schedule()),
      ctx.idle.onDidChangeStatus(() => this.schedule()),
    );
  }

  async resolveWebviewView(view: vscode.WebviewView): Promise<void> {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
    this.view = view;
    const root = this.ctx.extension.extensionUri;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')],
    };
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      view.onDidChangeVisibility(() => {
        if (view.visible) this.schedule();
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        for (const d of this.viewDisposables.splice(0)) d.dispose();
      }),
    );
    // The first state is embedded in the page, so it draws without waiting for a round trip.
    const initial = await this.state().catch((err: unknown) => {
      this.ctx.output.warn(`Context view: ${errorMessage(err)}`);
      return undefined;
    });
    view.webview.html = this.html(view.webview, initial);
  }

  /** Reveals the view (the Show Context command, a click on the gauge). */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${CONTEXT_VIEW_ID}.focus`);
  }

  private html(webview: vscode.Webview, initial: unknown): string {
    const nonce = randomBytes(16).toString('base64');
    const root = this.ctx.extension.extensionUri;
    const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'context.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Context</title>
</head>
<body>
<main id="root" aria-live="polite"></main>
<script type="application/json" id="initial-state">${initial === undefined ? 'null' : escapeJsonForHtml(initial)}</script>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  private schedule(): void {
    if (this.scheduled || !this.view?.visible) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.push();
    });
  }

  private async push(): Promise<void> {
    if (!this.view?.visible) return;
    try {
      await this.post({ type: 'state', state: await this.state() });
    } catch (err) {
      this.ctx.output.warn(`Context view could not be updated: ${errorMessage(err)}`);
    }
  }

  private async post(message: HostToWebview): Promise<void> {
    await this.view?.webview.postMessage(message);
  }

  private async state() {
    const { sessions, config, engine } = this.ctx;
    const listing = await sessions.store.list();
    for (const w of listing.warnings) this.ctx.output.warn(w);
    const id = sessions.activeSessionId;
    const log = id ? (sessions.peek(id) ?? (await sessions.load(id))) : undefined;
    const title = (log && listing.sessions.find((s) => s.id === log.header.id)?.title) ?? log?.header.title ?? 'Untitled session';
    return buildViewState({
      ...(log ? { active: { log, usage: sessions.usage(log), title, ...withPaused(this.ctx.idle.status(log.header.id).paused) } } : {}),
      levels: config.settings.levels,
      sessions: listing.sessions,
      overall: await this.overallTotals(listing.sessions),
      engine: engine.status,
      busy: this.busy,
    });
  }

  /** Totals over every stored session; open sessions from memory, the others read once per change. */
  private async overallTotals(summaries: readonly SessionSummary[]): Promise<CompactionTotals> {
    const overall = emptyTotals();
    for (const s of summaries) {
      let totals: CompactionTotals;
      const open: SessionLog | undefined = this.ctx.sessions.peek(s.id);
      if (open) totals = sessionTotals(open);
      else {
        const cached = this.totalsCache.get(s.id);
        if (cached?.updatedAt === s.updatedAt) totals = cached.totals;
        else {
          try {
            totals = sessionTotals((await this.ctx.sessions.store.open(s.id)).log);
          } catch (err) {
            this.ctx.output.warn(`session ${s.id}: totals unavailable (${errorMessage(err)})`);
            continue;
          }
          this.totalsCache.set(s.id, { updatedAt: s.updatedAt, totals });
        }
      }
      overall.compactions += totals.compactions;
      overall.tokensSaved += totals.tokensSaved;
      for (const k of Object.keys(overall.bySource) as (keyof CompactionTotals['bySource'])[]) overall.bySource[k] += totals.bySource[k];
    }
    return overall;
  }

  private async onMessage(raw: unknown): Promise<void> {
    try {
      await dispatchWebviewMessage(raw, this.actions);
    } catch (err) {
      const message = errorMessage(err);
      this.ctx.output.error(`Context view action failed: ${message}`);
      await this.post({ type: 'notice', level: 'error', text: message });
    }
  }

  private async withBusy(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    await this.push();
    try {
      await work();
    } finally {
      this.busy = false;
      await this.push();
    }
  }

  private readonly actions: WebviewActions = {
    ready: () => this.push(),
    reject: (error) => this.ctx.output.warn(error),
    webviewRejected: (error) => this.ctx.output.warn(`the Context view rejected a message from the host: ${error}`),
    compact: (instructions) =>
      this.withBusy(async () => {
        // The command shows progress and the result; `''` means "no instructions" without asking.
        const report = (await vscode.commands.executeCommand(COMPACT_COMMAND, instructions.trim())) as CompactionReport | undefined;
        if (report) {
          const text = report.status === 'compacted' ? compactionLine(report) : `Nothing was compacted: ${report.reason ?? report.status}`;
          await this.post({ type: 'notice', level: 'info', text });
        }
      }),
    revert: (sessionId, compactionId) =>
      this.withBusy(async () => {
        const log = await this.ctx.sessions.load(sessionId);
        if (activeCompaction(log)?.id !== compactionId) {
          await this.post({ type: 'notice', level: 'error', text: 'Only the newest compaction still applied can be reverted.' });
          return;
        }
        const reverted = await this.ctx.sessions.compactions.revertLast(sessionId);
        const usage = this.ctx.sessions.usage(await this.ctx.sessions.load(sessionId));
        if (reverted) await this.post({ type: 'notice', level: 'info', text: revertedLine(reverted.source, usage.used) });
      }),
    selectSession: async (sessionId) => {
      const { sessions } = await this.ctx.sessions.store.list();
      if (!sessions.some((s) => s.id === sessionId)) {
        await this.post({ type: 'notice', level: 'error', text: 'That session no longer exists.' });
        await this.push();
        return;
      }
      await this.ctx.sessions.load(sessionId);
      this.ctx.sessions.setActive(sessionId);
    },
    openSummary: async (sessionId, compactionId) => {
      await vscode.commands.executeCommand(SHOW_COMPACTION_COMMAND, sessionId, compactionId);
    },
    unpin: async (sessionId, messageId) => {
      await vscode.commands.executeCommand('compactor.unpinMessage', sessionId, messageId, 'view');
      await this.post({ type: 'notice', level: 'info', text: 'Unpinned: the next compaction may summarize that message.' });
    },
    openBeforeAfter: async (sessionId, compactionId) => {
      await vscode.commands.executeCommand('compactor.showBeforeAfter', sessionId, compactionId);
    },
  };

  dispose(): void {
    for (const d of [...this.viewDisposables.splice(0), ...this.disposables.splice(0)]) d.dispose();
    this.view = undefined;
  }
}

function withPaused(paused: string | undefined): { idlePaused?: string } {
  return paused ? { idlePaused: paused } : {};
}
