import * as vscode from 'vscode';
import { activeCompaction } from '../../src/compaction/context';
import type { CompactorContext } from '../compactorContext';
import { GAUGE_TOOLTIP_COMMANDS, SHOW_CONTEXT_COMMAND, gaugeModel, type GaugeColour } from './gaugeModel';
import { errorMessage } from '../../src/compaction/errors';

const BACKGROUNDS: Record<GaugeColour, vscode.ThemeColor | undefined> = {
  none: undefined,
  warning: new vscode.ThemeColor('statusBarItem.warningBackground'),
  error: new vscode.ThemeColor('statusBarItem.errorBackground'),
};

/**
 * The status-bar context gauge: the active session's context use, hidden when
 * there is no active session. Event-driven (sessions, active session, settings,
 * engine state), never polled; a burst of events is coalesced into one update
 * on the next turn of the event loop.
 */
export class UsageGauge implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private scheduled = false;
  /** Increases on every update, so a slow load that finishes late cannot overwrite a newer state. */
  private generation = 0;

  constructor(private readonly ctx: CompactorContext) {
    this.item = vscode.window.createStatusBarItem('compactor.contextGauge', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Context Compactor: Context Gauge';
    this.item.command = { command: SHOW_CONTEXT_COMMAND, title: 'Show Context' };
    const { sessions } = ctx;
    this.disposables.push(
      this.item,
      sessions.onDidChange((e) => {
        if (e.sessionId === sessions.activeSessionId) this.schedule();
      }),
      sessions.onDidChangeActive(() => this.schedule()),
      ctx.config.onDidChange(() => this.schedule()),
      ctx.engine.onDidChangeState(() => this.schedule()),
      ctx.idle.onDidChangeStatus((id) => {
        if (id === sessions.activeSessionId) this.schedule();
      }),
    );
    this.schedule();
  }

  /** Coalesces bursts (a tool loop appends several messages at once) into one update. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.update().catch((err: unknown) => {
        this.ctx.output.warn(`context gauge: ${errorMessage(err)}`);
        this.item.hide();
      });
    });
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const { sessions } = this.ctx;
    const id = sessions.activeSessionId;
    if (!id) {
      this.item.hide();
      return;
    }
    const log = sessions.peek(id) ?? (await sessions.load(id));
    if (generation !== this.generation) return;
    const applied = activeCompaction(log);
    const paused = this.ctx.idle.status(id).paused;
    const model = gaugeModel({
      ...(applied?.source === 'idle' || paused ? { idle: { ...(applied?.source === 'idle' ? { compactedAt: Date.parse(applied.at) } : {}), ...(paused ? { paused } : {}) } } : {}),
      usage: sessions.usage(log),
      levels: this.ctx.config.settings.levels,
      ...(log.header.title ? { sessionTitle: log.header.title } : {}),
      engine: this.ctx.engine.status,
    });
    const tooltip = new vscode.MarkdownString(model.tooltip, true);
    tooltip.isTrusted = { enabledCommands: [...GAUGE_TOOLTIP_COMMANDS] };
    this.item.text = model.text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = BACKGROUNDS[model.colour];
    this.item.accessibilityInformation = { label: model.accessibilityLabel, role: 'button' };
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
