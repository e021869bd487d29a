/**
 * Wires the transcript features (transcript.ts) to the connection: inlay
 * hints, document symbols and diagnostics for the session logs the client's
 * documentSelector sends (JSONL under the extension's storage). Documents are
 * parsed on demand; nothing of them is cached beyond the text the
 * TextDocuments manager keeps while they are open.
 */
import { type Connection, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { diagnostics, documentSymbols, inlayHints, parseTranscript } from './transcript';

export function registerTranscriptFeatures(connection: Connection): TextDocuments<TextDocument> {
  const documents = new TextDocuments(TextDocument);
  const linesOf = (uri: string) => {
    const doc = documents.get(uri);
    return doc ? parseTranscript(doc.getText()) : undefined;
  };
  connection.languages.inlayHint.on((params) => {
    const lines = linesOf(params.textDocument.uri);
    return lines ? inlayHints(lines, params.range.start.line, params.range.end.line) : [];
  });
  connection.onDocumentSymbol((params) => {
    const lines = linesOf(params.textDocument.uri);
    return lines ? documentSymbols(lines) : [];
  });
  documents.onDidChangeContent((e) => {
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: diagnostics(parseTranscript(e.document.getText())) });
  });
  documents.onDidClose((e) => void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));
  documents.listen(connection);
  return documents;
}
