/**
 * The vscode glue of the telemetry, created once by CompactorContext: a
 * `vscode.env.createTelemetryLogger` over the PostHog sender (so VS Code's
 * telemetry level is obeyed, changes included), the extension's own settings
 * (read through `Configuration`; they can only turn it further off), the random install id in
 * `globalState`, and the revert listener. Everything that decides or sends
 * lives in vscode-free modules next to this one.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { RevertRecord, CompactionRecord } from '../../src/compaction/records';
import type { SessionService } from '../sessions/sessionService';
import { CompactionTelemetry, type TelemetryLog } from './compactionTelemetry';
import { PostHogSender, SHUTDOWN_TIMEOUT_MS } from './posthogSender';
import { TelemetryGate } from './telemetryGate';
import type { Configuration } from '../config/configuration';
import { effectiveEndpoint } from './telemetrySettings';

/** `globalState` key of the install id: a random UUID, not the machine id; never synced. */
const DISTINCT_ID_KEY = 'compactor.telemetry.distinctId';

export class Telemetry extends CompactionTelemetry {
  private readonly disposables: vscode.Disposable[] = [];
  private shutdownPromise: Promise<void> | undefined;

  private constructor(
    private readonly sender: PostHogSender,
    private readonly telemetryLogger: vscode.TelemetryLogger,
    gate: TelemetryGate,
    log: TelemetryLog,
  ) {
    super(telemetryLogger, gate, log);
  }

  static create(extension: vscode.ExtensionContext, sessions: SessionService, config: Configuration, output: vscode.LogOutputChannel): Telemetry {
    const log = safeLog(output);
    let settings = config.telemetry;

    const sender = new PostHogSender({
      endpoint: () => (settings.enabled ? effectiveEndpoint(settings) : undefined),
      distinctId: () => distinctId(extension.globalState),
      log,
    });
    // Common properties are not wanted (and the sender strips any that come);
    // unhandled errors would carry stacks that name files.
    const logger = vscode.env.createTelemetryLogger(sender, { ignoreBuiltInCommonProperties: true, ignoreUnhandledErrors: true });
    const gate = new TelemetryGate({
      vscode: () => logger,
      settingEnabled: () => settings.enabled,
      hasKey: () => effectiveEndpoint(settings) !== undefined,
    });
    const telemetry = new Telemetry(sender, logger, gate, log);
    const describe = () =>
      `telemetry: ${gate.anyEnabled ? `on (usage ${logger.isUsageEnabled ? 'on' : 'off'}, errors ${logger.isErrorsEnabled ? 'on' : 'off'})` : 'off'}` +
      `${effectiveEndpoint(settings) ? '' : ' — no PostHog key configured'}${settings.enabled ? '' : ' — compactor.telemetry.enabled is false'}`;
    log.info(describe());

    telemetry.disposables.push(
      logger.onDidChangeEnableStates(() => {
        // Off now: send what is pending and drop the client (it is recreated if turned on again).
        if (!gate.anyEnabled) sender.reset();
        log.info(describe());
      }),
      config.onDidChange((change) => {
        if (!change.telemetry) return;
        settings = config.telemetry;
        sender.reset();
        log.info(describe());
      }),
      sessions.compactions.onDidFinishCompaction((e) => {
        if (e.result) telemetry.compactionResult(e.result, e.source);
        else telemetry.compactionError(e.source, e.error);
      }),
      sessions.onDidChange((change) => {
        if (change.kind !== 'revert') return;
        const log = sessions.peek(change.sessionId);
        const revert = [...(log?.records ?? [])].reverse().find((r): r is RevertRecord => r.type === 'revert');
        const compaction = revert && log?.records.find((r): r is CompactionRecord => r.type === 'compaction' && r.id === revert.compactionId);
        if (revert && compaction) telemetry.compactionReverted(revert.id, compaction, Date.parse(revert.at));
      }),
    );
    return telemetry;
  }

  /** Sends what is pending within 2 s and stops; called (and awaited) by CompactorContext.dispose. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      for (const d of this.disposables.splice(0)) d.dispose();
      await this.sender.shutdown(SHUTDOWN_TIMEOUT_MS);
      this.telemetryLogger.dispose();
    })();
    return this.shutdownPromise;
  }

  dispose(): void {
    void this.shutdown();
  }
}

/** The install id, created on the first event that is sent (so none is stored while telemetry is off). */
function distinctId(state: vscode.Memento): string {
  const existing = state.get<unknown>(DISTINCT_ID_KEY);
  if (typeof existing === 'string' && /^[0-9a-f-]{36}$/.test(existing)) return existing;
  const id = randomUUID();
  void Promise.resolve(state.update(DISTINCT_ID_KEY, id)).catch(() => undefined);
  return id;
}

/** Logging must not throw either, not even after the output channel is disposed. */
function safeLog(output: vscode.LogOutputChannel): TelemetryLog & { info(message: string): void } {
  const call = (fn: (m: string) => void) => (message: string) => {
    try {
      fn.call(output, message);
    } catch {
      // The channel is gone (deactivation); there is nowhere left to say it.
    }
  };
  return { warn: call(output.warn), debug: call(output.debug), info: call(output.info) };
}
