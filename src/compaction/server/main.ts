// Entry point of the compaction server process (bundled to dist/server.js).
// Started by the extension's EngineClient over ipc, or with --stdio by tests.
// Creates the connection, routes console output to it (stdout may be the
// transport), logs what would otherwise kill the process, registers the
// handlers and listens.
import { format } from 'node:util';
import { createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { version } from '../../../package.json';
import { compact } from '../planner';
import { type CompactionCapabilities, EncodingSchema, Methods, PROTOCOL_VERSION } from '../protocol';
import { TierSchema } from '../records';
import { createCounterPool } from './counters';
import { EngineService } from './engineService';
import { registerTranscriptFeatures } from './features/register';
import { registerHandlers } from './handlers';
import { errorMessage } from '../errors';

const connection = createConnection(ProposedFeatures.all);

console.log = (...args: unknown[]) => connection.console.log(format(...args));
console.info = (...args: unknown[]) => connection.console.info(format(...args));
console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
console.error = (...args: unknown[]) => connection.console.error(format(...args));
console.debug = (...args: unknown[]) => connection.console.debug(format(...args));

// The server holds no state worth dying for: log and keep answering.
process.on('uncaughtException', (err) => connection.console.error(`uncaught exception: ${err.stack ?? String(err)}`));
process.on('unhandledRejection', (reason) =>
  connection.console.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`),
);

const log = { info: (m: string) => connection.console.info(m), error: (m: string) => connection.console.error(m) };
const counters = createCounterPool((encoding, err) =>
  log.error(`tokenizer ${encoding} could not load, counting with the estimate (chars / 4): ${errorMessage(err)}`),
);
const service = new EngineService({ counters, clock: { now: () => Date.now() }, compact });

const transcripts = registerTranscriptFeatures(connection, counters, log);

connection.onInitialize((params) => {
  transcripts.configure((params.initializationOptions as { transcript?: unknown } | null | undefined)?.transcript);
  const compaction: CompactionCapabilities = {
    protocolVersion: PROTOCOL_VERSION,
    methods: Object.values(Methods),
    encodings: [...EncodingSchema.options],
    tiers: [...TierSchema.options],
  };
  return {
    capabilities: {
      // Transcript features for the session logs the client selects (features/).
      textDocumentSync: TextDocumentSyncKind.Incremental,
      inlayHintProvider: true,
      documentSymbolProvider: true,
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      experimental: { compaction },
    },
    serverInfo: { name: 'context-compactor-engine', version },
  };
});
connection.onInitialized(() => log.info(`compaction server ${version} ready (protocol ${PROTOCOL_VERSION}, pid ${process.pid})`));

registerHandlers(connection, service, log);
connection.listen();
