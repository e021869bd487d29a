import * as vscode from 'vscode';
import { activeCompaction, keptPinIds } from '../../src/compaction/context';
import { beforeAfterOf, type ContextDocument } from '../../src/compaction/export/beforeAfter';
import { PIN_MESSAGE_COMMAND, type PinMessageArgs, UNPIN_MESSAGE_COMMAND } from '../../src/compaction/protocol';
import type { SessionService } from '../sessions/sessionService';

/** Read-only documents of the before/after view: `compactor-context:/<session>/<compaction>/before.md` (or after.md). */
export const CONTEXT_SCHEME = 'compactor-context';
export const REVERT_FROM_VIEW_COMMAND = 'compactor.revertCompactionFromView';

type Side = 'before' | 'after';

export function beforeAfterUri(sessionId: string, compactionId: string, side: Side): vscode.Uri {
  return vscode.Uri.from({ scheme: CONTEXT_SCHEME, path: `/${encodeURIComponent(sessionId)}/${encodeURIComponent(compactionId)}/${side}.md` });
}

export function parseBeforeAfterUri(uri: vscode.Uri): { sessionId: string; compactionId: string; side: Side } | undefined {
  const [, session, compaction, file] = uri.path.split('/');
  const side = file === 'before.md' ? 'before' : file === 'after.md' ? 'after' : undefined;
  if (uri.scheme !== CONTEXT_SCHEME || !session || !compaction || !side) return undefined;
  return { sessionId: decodeURIComponent(session), compactionId: decodeURIComponent(compaction), side };
}

/**
 * Serves the two sides of a compaction's before/after view from the session
 * log (src/compaction/export/beforeAfter.ts), and puts lenses on them: "Pin"
 * / "Unpin" above every message, "Revert this compaction" at the top while it
 * is the newest one still applied. A pin or revert refreshes the open views.
 */
export class BeforeAfterDocuments implements vscode.TextDocumentContentProvider, vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly rendered = new Map<string, ContextDocument>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly sessions: SessionService) {
    this.disposables = [
      this.changed,
      this.lensesChanged,
      vscode.workspace.registerTextDocumentContentProvider(CONTEXT_SCHEME, this),
      vscode.languages.registerCodeLensProvider({ scheme: CONTEXT_SCHEME }, this),
      sessions.onDidChange(() => this.lensesChanged.fire()),
    ];
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const at = parseBeforeAfterUri(uri);
    if (!at) return `Not a before/after document: ${uri.toString()}`;
    const view = beforeAfterOf(await this.sessions.load(at.sessionId), at.compactionId);
    if (!view) return `Session ${at.sessionId} has no compaction ${at.compactionId}.`;
    const doc = view[at.side];
    this.rendered.set(uri.toString(), doc);
    return doc.text;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const at = parseBeforeAfterUri(document.uri);
    const doc = this.rendered.get(document.uri.toString());
    if (!at || !doc) return [];
    const log = await this.sessions.load(at.sessionId);
    const pinned = keptPinIds(log);
    const lenses: vscode.CodeLens[] = [];
    const top = new vscode.Range(0, 0, 0, 0);
    if (activeCompaction(log)?.id === at.compactionId) {
      lenses.push(new vscode.CodeLens(top, { title: '$(discard) Revert this compaction', command: REVERT_FROM_VIEW_COMMAND, arguments: [at.sessionId, at.compactionId] }));
    }
    for (const a of doc.anchors) {
      const args: PinMessageArgs = { sessionId: at.sessionId, messageId: a.messageId, origin: 'before-after' };
      const range = new vscode.Range(a.line, 0, a.line, 0);
      lenses.push(
        pinned.has(a.messageId)
          ? new vscode.CodeLens(range, { title: '$(pinned) Pinned: unpin', command: UNPIN_MESSAGE_COMMAND, arguments: [args] })
          : new vscode.CodeLens(range, { title: '$(pin) Pin (keep verbatim)', command: PIN_MESSAGE_COMMAND, arguments: [args] }),
      );
    }
    return lenses;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
