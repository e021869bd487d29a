/**
 * Test doubles for the telemetry tests, all real network on 127.0.0.1:
 * - `startCaptureServer`: receives posthog-node's real `POST /batch/` requests
 *   (gzip or not) and keeps their decoded bodies; `mode: 'hang'` accepts each
 *   request and never answers (a slow endpoint).
 * - `refusedHost`: a host whose port refuses connections (an endpoint that is down).
 * - `StandInTelemetryLogger`: what `vscode.env.createTelemetryLogger` does for
 *   us, as far as the sender can tell: gate by level (usage at "all", errors at
 *   "error"/"all"), prefix the extension id, mix in common properties.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { EventLogger } from '../../../extension/telemetry/compactionTelemetry';
import { enableStatesOf, type VsCodeTelemetryLevel } from '../../../extension/telemetry/telemetryGate';

export interface CapturedEvent {
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
}

export interface CaptureServer {
  host: string;
  /** Decoded request bodies, as text (what went over the wire). */
  bodies: string[];
  /** Requests that arrived (also those never answered). */
  requests: number;
  events(): CapturedEvent[];
  /** Resolves when at least `count` events have arrived; rejects after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs?: number): Promise<CapturedEvent[]>;
  close(): Promise<void>;
}

export async function startCaptureServer(options: { mode?: 'ok' | 'hang' } = {}): Promise<CaptureServer> {
  const bodies: string[] = [];
  const hanging = new Set<ServerResponse>();
  let requests = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (options.mode === 'hang') {
        hanging.add(res);
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.url?.startsWith('/batch')) bodies.push(body.toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"Ok"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const events = () => bodies.flatMap((b) => (JSON.parse(b) as { batch: CapturedEvent[] }).batch);
  return {
    host: `http://127.0.0.1:${port}`,
    bodies,
    get requests() {
      return requests;
    },
    events,
    async waitForEvents(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (events().length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} event(s), got ${events().length} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return events();
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback host nothing listens on (the port was free a moment ago). */
export async function refusedHost(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** VS Code's common properties, as the TelemetryLogger mixes them in (with `ignoreBuiltInCommonProperties: false`). */
export const COMMON_PROPERTIES = {
  'common.extname': 'context-compactor.context-compactor',
  'common.extversion': '0.1.0',
  'common.vscodemachineid': 'machine-5f1c2a9e7d3b4c60a1e2f3d4c5b6a7e8',
  'common.vscodesessionid': 'session-0a9b8c7d6e5f',
  'common.vscodeversion': '1.139.1',
  'common.os': 'linux',
};

interface SenderLike {
  sendEventData(eventName: string, data?: Record<string, unknown>): void;
}

export class StandInTelemetryLogger implements EventLogger {
  constructor(
    private readonly sender: SenderLike,
    public level: VsCodeTelemetryLevel = 'all',
  ) {}

  get isUsageEnabled(): boolean {
    return enableStatesOf(this.level).isUsageEnabled;
  }

  get isErrorsEnabled(): boolean {
    return enableStatesOf(this.level).isErrorsEnabled;
  }

  logUsage(eventName: string, data?: Record<string, unknown>): void {
    if (this.isUsageEnabled) this.send(eventName, data);
  }

  logError(eventName: string, data?: Record<string, unknown>): void {
    if (this.isErrorsEnabled) this.send(eventName, data);
  }

  private send(eventName: string, data?: Record<string, unknown>): void {
    this.sender.sendEventData(`context-compactor.context-compactor/${eventName}`, { ...data, ...COMMON_PROPERTIES });
  }
}

/** Collects what the telemetry logs to the output channel. */
export function memoryLog(): { warn(m: string): void; debug(m: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(`warn ${m}`), debug: (m) => lines.push(`debug ${m}`) };
}
