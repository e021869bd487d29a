/**
 * Whether an event may leave the machine now. No vscode import, so the rule
 * is tested in plain Node with the same inputs the extension passes:
 *
 * - VS Code's level, as its TelemetryLogger reports it (`isUsageEnabled`: level
 *   "all"; `isErrorsEnabled`: "error" or "all"; both false at "crash"/"off").
 * - The extension's `compactor.telemetry.enabled`, which can only turn it off.
 * - A configured PostHog key: without one nothing is sent or queued.
 *
 * The state is read at each event, so a change takes effect at once.
 */
import type { TelemetryLevel } from './events';

export interface EnableStates {
  readonly isUsageEnabled: boolean;
  readonly isErrorsEnabled: boolean;
}

export interface TelemetryGateInputs {
  /** VS Code's TelemetryLogger (or a stand-in): read at every event. */
  vscode: () => EnableStates;
  /** `compactor.telemetry.enabled`. */
  settingEnabled: () => boolean;
  /** A PostHog key is configured. */
  hasKey: () => boolean;
}

export class TelemetryGate {
  constructor(private readonly inputs: TelemetryGateInputs) {}

  allows(level: TelemetryLevel): boolean {
    if (!this.inputs.settingEnabled() || !this.inputs.hasKey()) return false;
    const states = this.inputs.vscode();
    return level === 'usage' ? states.isUsageEnabled : states.isErrorsEnabled;
  }

  /** Anything at all may be sent (used to decide whether a PostHog client should exist). */
  get anyEnabled(): boolean {
    return this.allows('usage') || this.allows('error');
  }
}

/** VS Code's telemetry levels as the TelemetryLogger maps them (for stand-ins and tests). */
export type VsCodeTelemetryLevel = 'all' | 'error' | 'crash' | 'off';

export function enableStatesOf(level: VsCodeTelemetryLevel): EnableStates {
  return { isUsageEnabled: level === 'all', isErrorsEnabled: level === 'all' || level === 'error' };
}
