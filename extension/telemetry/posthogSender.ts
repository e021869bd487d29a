/**
 * The PostHog half of the telemetry: a `vscode.TelemetrySender` that forwards
 * what VS Code's TelemetryLogger lets through to `posthog-node`. No vscode
 * import (the client factory is injected), so tests run it against a capture
 * server in plain Node.
 *
 * Invariants:
 * - Without a key no client exists: nothing is sent, queued or timed.
 * - Only events defined in events.ts go out, validated after VS Code's common
 *   properties (`common.*`) are stripped; anything else is dropped and logged.
 * - Error objects (`sendErrorData`) never go out: stacks name files.
 * - Every event has `$process_person_profile: false` and GeoIP disabled; the
 *   distinct id is the injected random install id.
 * - Nothing here throws or awaits the network in the caller's path; failures
 *   are logged to the output channel. `shutdown` returns within its timeout.
 */
import { PostHog, type PostHogOptions } from 'posthog-node';
import { validateEvent } from './events';
import type { TelemetryLog } from './compactionTelemetry';

/** The calls used on a posthog-node client (a fake in some tests). */
export interface PostHogClient {
  capture(message: { distinctId: string; event: string; properties: Record<string, unknown>; disableGeoip?: boolean }): void;
  flush(): Promise<void>;
  shutdown(timeoutMs?: number): Promise<void>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

export type PostHogClientFactory = (apiKey: string, options: PostHogOptions) => PostHogClient;

export const createPostHogClient: PostHogClientFactory = (apiKey, options) => new PostHog(apiKey, options);

export interface PostHogEndpoint {
  key: string;
  host: string;
}

/** What quietFetch tells the SDK after a failure it has logged: done, nothing to retry. */
const DROPPED_BATCH_RESPONSE = { status: 200, text: () => Promise.resolve(''), json: () => Promise.resolve({}) };

/**
 * posthog-node prints failed background flushes with console.error (the
 * extension host log). This fetch reports a failure (network error, timeout,
 * non-2xx answer) to our output channel instead and answers the SDK as if
 * the batch had been accepted: the batch is dropped. Telemetry is best
 * effort; nothing piles up while offline.
 */
export function quietFetch(onFailure: (text: string) => void): NonNullable<PostHogOptions['fetch']> {
  return async (url, options) => {
    try {
      const response = await fetch(url, options as RequestInit);
      if (response.status >= 200 && response.status < 300) return response;
      onFailure(`HTTP ${response.status}; the batch was dropped`);
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
      onFailure(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}${cause}; the batch was dropped`);
    }
    return DROPPED_BATCH_RESPONSE;
  };
}

/** PostHog Cloud (US) ingestion, used when a key is configured without a host. */
export const DEFAULT_POSTHOG_HOST = 'https://us.i.posthog.com';

/** Deactivation waits at most this long for pending events (VS Code's own budget is ~5 s). */
export const SHUTDOWN_TIMEOUT_MS = 2_000;

/**
 * Client options. Compactions are minutes apart, so each event is sent at once
 * (`flushAt: 1`); a dead endpoint costs one retry, a bounded queue and no more.
 */
export const POSTHOG_CLIENT_OPTIONS = {
  flushAt: 1,
  /** Safety net for anything left in the queue. */
  flushInterval: 10_000,
  /** A hung endpoint is abandoned after this. */
  requestTimeout: 5_000,
  /** quietFetch answers every failure as done (see there), so the SDK never retries. */
  fetchRetryCount: 0,
  /** Events kept while the endpoint is down; older ones are dropped. */
  maxQueueSize: 100,
  disableGeoip: true,
  preloadFeatureFlags: false,
  enableExceptionAutocapture: false,
} satisfies PostHogOptions;

export interface PostHogSenderOptions {
  /** Read at every event; a change of key or host replaces the client. `undefined` or an empty key: send nothing. */
  endpoint: () => PostHogEndpoint | undefined;
  /** The random install id (created on first use by the caller). */
  distinctId: () => string;
  log: TelemetryLog;
  createClient?: PostHogClientFactory;
  /** Overrides for tests only (e.g. `disableCompression`). */
  clientOptions?: Partial<PostHogOptions>;
}

/** VS Code prefixes names with the extension id (`publisher.name/event`); PostHog gets the bare name. */
export function bareEventName(eventName: string): string {
  return eventName.slice(eventName.lastIndexOf('/') + 1);
}

/** Drops VS Code's common properties (`common.*`: machine id, session id, versions, …). */
export function withoutCommonProperties(data: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data ?? {})) {
    if (!key.startsWith('common.')) out[key] = value;
  }
  return out;
}

export class PostHogSender {
  private client: PostHogClient | undefined;
  private clientEndpoint = '';
  private closed = false;
  private reportedErrors = 0;
  /** Clients being shut down after a key or host change; awaited by `shutdown`. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly options: PostHogSenderOptions) {}

  /** `vscode.TelemetrySender.sendEventData`. */
  sendEventData(eventName: string, data?: Record<string, unknown>): void {
    try {
      const name = bareEventName(eventName);
      const event = validateEvent(name, withoutCommonProperties(data));
      if (!event.ok) {
        this.options.log.warn(`telemetry: dropped an event: ${event.problem}`);
        return;
      }
      const client = this.currentClient();
      if (!client) return;
      client.capture({
        distinctId: this.options.distinctId(),
        event: event.name,
        properties: { ...event.properties, $process_person_profile: false },
        disableGeoip: true,
      });
    } catch (err) {
      this.logFailure(err);
    }
  }

  /** `vscode.TelemetrySender.sendErrorData`: never forwarded (a stack names files); logged here only. */
  sendErrorData(error: Error): void {
    this.options.log.debug(`telemetry: not sending an error object (${error?.name ?? 'Error'})`);
  }

  /** `vscode.TelemetrySender.flush`: the TelemetryLogger calls it when disposed. */
  flush(): Promise<void> {
    return this.shutdown();
  }

  /** Sends what is pending (waiting at most `timeoutMs`) and closes the client; nothing is sent afterwards. */
  async shutdown(timeoutMs = SHUTDOWN_TIMEOUT_MS): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    const pending = [...this.retiring];
    if (client) pending.push(this.stop(client, timeoutMs));
    await Promise.all(pending);
  }

  /** The key or host changed (or telemetry was turned off): retire the client; the next event makes a new one. */
  reset(): void {
    const client = this.client;
    this.client = undefined;
    this.clientEndpoint = '';
    if (client) {
      const done = this.stop(client, SHUTDOWN_TIMEOUT_MS).finally(() => this.retiring.delete(done));
      this.retiring.add(done);
    }
  }

  /** True while a PostHog client exists (tests: no key → never). */
  get hasClient(): boolean {
    return this.client !== undefined;
  }

  private currentClient(): PostHogClient | undefined {
    if (this.closed) return undefined;
    const endpoint = this.options.endpoint();
    if (!endpoint || !endpoint.key.trim()) {
      if (this.client) this.reset();
      return undefined;
    }
    const host = endpoint.host.trim() || DEFAULT_POSTHOG_HOST;
    const id = `${endpoint.key}\n${host}`;
    if (this.client && this.clientEndpoint !== id) this.reset();
    if (!this.client) {
      const create = this.options.createClient ?? createPostHogClient;
      const fetch = quietFetch((text) => this.logFailure(text));
      const client = create(endpoint.key.trim(), { ...POSTHOG_CLIENT_OPTIONS, fetch, ...this.options.clientOptions, host });
      client.on('error', (err) => this.logFailure(err));
      this.client = client;
      this.clientEndpoint = id;
    }
    return this.client;
  }

  /** `client.shutdown`, bounded by our own timer too: a hung request never holds deactivation. */
  private async stop(client: PostHogClient, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.options.log.debug(`telemetry: gave up on pending events after ${timeoutMs} ms`);
        resolve();
      }, timeoutMs);
    });
    const shutdown = Promise.resolve()
      .then(() => client.shutdown(Math.max(0, timeoutMs - 100)))
      .catch((err: unknown) => this.logFailure(err));
    await Promise.race([shutdown, timeout]);
    clearTimeout(timer);
  }

  /** The first few failures are warnings (the user may want to know), the rest debug lines. */
  private logFailure(err: unknown): void {
    const text = typeof err === 'string' ? err : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.reportedErrors++;
    if (this.reportedErrors <= 3) this.options.log.warn(`telemetry: sending to PostHog failed (ignored): ${text}`);
    else this.options.log.debug(`telemetry: sending to PostHog failed (ignored): ${text}`);
  }
}
