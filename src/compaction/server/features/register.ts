/**
 * Wires the transcript features (transcript.ts) to the connection: inlay
 * hints, document symbols, hovers, code lenses and diagnostics for the JSONL
 * documents the client's documentSelector sends (its own session logs, Claude
 * Code sessions, any `.jsonl`). A document that is not a transcript
 * (transcriptView.ts `sniffKind`, first lines only) gets nothing, not even an
 * empty diagnostics notification.
 *
 * Each open document is read once per version and the view kept until the
 * next change or close, so a hover or an inlay-hint scroll does not re-read
 * (or, for Claude Code files, re-count) a large file.
 */
import { type Connection, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type TranscriptOptions, TranscriptOptionsSchema } from '../../protocol';
import type { CounterPool } from '../counters';
import type { Logger } from '../handlers';
import { codeLenses, DEFAULT_TRANSCRIPT_OPTIONS, diagnostics, documentSymbols, hover, inlayHints } from './transcript';
import { readTranscript, type TranscriptView } from './transcriptView';

export interface TranscriptFeatures {
  documents: TextDocuments<TextDocument>;
  /** Applies options from `initializationOptions.transcript` or a configuration change; invalid ones are logged and the defaults kept. */
  configure(raw: unknown): void;
}

export function registerTranscriptFeatures(connection: Connection, counters: CounterPool, log: Logger): TranscriptFeatures {
  const documents = new TextDocuments(TextDocument);
  let options: TranscriptOptions = DEFAULT_TRANSCRIPT_OPTIONS;
  const views = new Map<string, { version: number; view: TranscriptView | undefined }>();
  const counterFor = (model: string | undefined) => counters.forModel({ id: model ?? '' });

  const viewOf = (uri: string): TranscriptView | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const known = views.get(uri);
    if (known?.version === doc.version) return known.view;
    const view = readTranscript(doc.getText(), counterFor);
    views.set(uri, { version: doc.version, view });
    return view;
  };
  /** Publishes diagnostics for a transcript; clears them when a document stopped being one. */
  const publish = (uri: string, wasTranscript: boolean) => {
    const view = viewOf(uri);
    if (view) void connection.sendDiagnostics({ uri, diagnostics: diagnostics(view, options) });
    else if (wasTranscript) void connection.sendDiagnostics({ uri, diagnostics: [] });
  };

  connection.languages.inlayHint.on((params) => {
    const view = viewOf(params.textDocument.uri);
    return view ? inlayHints(view, params.range.start.line, params.range.end.line) : [];
  });
  connection.onDocumentSymbol((params) => {
    const view = viewOf(params.textDocument.uri);
    return view ? documentSymbols(view) : [];
  });
  connection.onHover((params) => {
    const view = viewOf(params.textDocument.uri);
    return (view && hover(view, params.position.line)) ?? null;
  });
  connection.onCodeLens((params) => {
    const view = viewOf(params.textDocument.uri);
    return view ? codeLenses(view) : [];
  });
  connection.onDidChangeConfiguration((params) => {
    const settings = (params.settings as { transcript?: unknown } | null | undefined)?.transcript;
    configure(settings);
    for (const doc of documents.all()) publish(doc.uri, false);
  });
  documents.onDidChangeContent((e) => publish(e.document.uri, views.get(e.document.uri)?.view !== undefined));
  documents.onDidClose((e) => {
    const wasTranscript = views.get(e.document.uri)?.view !== undefined;
    views.delete(e.document.uri);
    if (wasTranscript) void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  documents.listen(connection);

  function configure(raw: unknown): void {
    if (raw === undefined || raw === null) return;
    const parsed = TranscriptOptionsSchema.safeParse(raw);
    if (parsed.success) options = parsed.data;
    else log.error(`transcript options ignored (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); keeping ${JSON.stringify(options)}`);
  }
  return { documents, configure };
}
