import * as vscode from 'vscode';
import { parseSettings, SETTING_KEYS, SETTINGS_SECTION, type Settings, type SettingKey, RESTART_SERVER_KEYS } from './settings';

/**
 * The current settings, re-read when `compactor.*` changes. Listeners get the
 * new settings and whether the compaction server must restart. Problems with a
 * value are logged and shown once per distinct message.
 */
export class Configuration implements vscode.Disposable {
  private current: Settings;
  private readonly emitter = new vscode.EventEmitter<{ settings: Settings; restartServer: boolean }>();
  readonly onDidChange = this.emitter.event;
  private readonly reported = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      const restartServer = RESTART_SERVER_KEYS.some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`));
      this.current = this.read();
      this.emitter.fire({ settings: this.current, restartServer });
    });
  }

  get settings(): Settings {
    return this.current;
  }

  private read(): Settings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const raw: Partial<Record<SettingKey, unknown>> = {};
    for (const key of SETTING_KEYS) raw[key] = config.get(key);
    const { settings, problems } = parseSettings(raw);
    for (const problem of problems) {
      this.log.warn(problem);
      if (!this.reported.has(problem)) {
        this.reported.add(problem);
        void vscode.window.showWarningMessage(`Context Compactor: ${problem}`);
      }
    }
    return settings;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
