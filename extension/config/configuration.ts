import * as vscode from 'vscode';
import { parseTelemetrySettings, TELEMETRY_SECTION, type TelemetrySettings } from '../telemetry/telemetrySettings';
import { parseSettings, SETTING_KEYS, SETTINGS_SECTION, type Settings, type SettingKey, RESTART_SERVER_KEYS } from './settings';

/** What changed: the new settings, whether the compaction server must restart, and which groups changed. */
export interface ConfigurationChange {
  settings: Settings;
  restartServer: boolean;
  /** `compactor.telemetry.*` changed. */
  telemetry: boolean;
  /** `compactor.transcript.*` changed. */
  transcript: boolean;
}

/**
 * The current settings, re-read when `compactor.*` changes: the one place the
 * extension reads its configuration, with the one listener. Listeners get the
 * new settings and what changed. Problems with a value are logged and shown
 * once per distinct message.
 */
export class Configuration implements vscode.Disposable {
  private current: Settings;
  private currentTelemetry: TelemetrySettings;
  private readonly emitter = new vscode.EventEmitter<ConfigurationChange>();
  readonly onDidChange = this.emitter.event;
  private readonly reported = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.current = this.read();
    this.currentTelemetry = this.readTelemetry();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      const restartServer = RESTART_SERVER_KEYS.some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`));
      const telemetry = e.affectsConfiguration(TELEMETRY_SECTION);
      this.current = this.read();
      if (telemetry) this.currentTelemetry = this.readTelemetry();
      this.emitter.fire({ settings: this.current, restartServer, telemetry, transcript: e.affectsConfiguration(`${SETTINGS_SECTION}.transcript`) });
    });
  }

  get settings(): Settings {
    return this.current;
  }

  /** `compactor.telemetry.*` (which can only turn telemetry further off than VS Code's level). */
  get telemetry(): TelemetrySettings {
    return this.currentTelemetry;
  }

  private read(): Settings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const raw: Partial<Record<SettingKey, unknown>> = {};
    for (const key of SETTING_KEYS) raw[key] = config.get(key);
    const { settings, problems } = parseSettings(raw);
    this.report(problems);
    return settings;
  }

  private readTelemetry(): TelemetrySettings {
    const config = vscode.workspace.getConfiguration(TELEMETRY_SECTION);
    const { settings, problems } = parseTelemetrySettings({ enabled: config.get('enabled'), posthogKey: config.get('posthogKey'), posthogHost: config.get('posthogHost') });
    this.report(problems);
    return settings;
  }

  private report(problems: readonly string[]): void {
    for (const problem of problems) {
      this.log.warn(problem);
      if (!this.reported.has(problem)) {
        this.reported.add(problem);
        void vscode.window.showWarningMessage(`Context Compactor: ${problem}`);
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
