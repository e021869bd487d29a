import * as vscode from 'vscode';
import type { CompactorContext } from '../compactorContext';
import { type PreviewDecision, previewCompaction, type PreviewOutcome } from '../sessions/previewFlow';
import { editableSummary, type Proposal } from '../sessions/proposals';
import type { CompactRequest } from '../sessions/sessionCompactions';
import { previewAccount } from '../ui/previewAccount';

/** The editable summary of a proposed compaction (an in-memory file system, so the document can be edited and saved). */
export const PREVIEW_SCHEME = 'compactor-preview';
/** The read-only account beside it. */
export const PREVIEW_INFO_SCHEME = 'compactor-preview-info';
export const APPLY_PREVIEW_COMMAND = 'compactor.preview.apply';
export const DISCARD_PREVIEW_COMMAND = 'compactor.preview.discard';
const OPEN_CONTEXT_KEY = 'compactor.previewOpen';

interface OpenPreview {
  proposal: Proposal;
  summaryUri: vscode.Uri;
  infoUri: vscode.Uri;
  /** Set while a decision is awaited. */
  decide?: (decision: PreviewDecision) => void;
  closing: boolean;
}

/**
 * Proposed compactions open as two editors: the summary (Markdown, editable,
 * saveable: `compactor-preview:/<key>/Compaction summary.md`) and beside it
 * what it replaces (read-only). Apply and Discard are editor-title buttons and
 * a code lens above the summary; closing the summary discards. The states are
 * in sessions/previewFlow.ts.
 */
export class CompactionPreviews implements vscode.Disposable, vscode.FileSystemProvider, vscode.TextDocumentContentProvider, vscode.CodeLensProvider {
  private readonly files = new Map<string, { data: Uint8Array; mtime: number; ctime: number }>();
  private readonly infos = new Map<string, string>();
  private readonly open = new Map<string, OpenPreview>();
  private readonly fileEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.fileEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: CompactorContext) {
    this.disposables.push(
      this.fileEmitter,
      vscode.workspace.registerFileSystemProvider(PREVIEW_SCHEME, this, { isCaseSensitive: true }),
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_INFO_SCHEME, this),
      vscode.languages.registerCodeLensProvider({ scheme: PREVIEW_SCHEME }, this),
      vscode.commands.registerCommand(APPLY_PREVIEW_COMMAND, (uri?: unknown) => this.decide(uri, (p) => ({ action: 'apply', summary: this.summaryText(p) }))),
      vscode.commands.registerCommand(DISCARD_PREVIEW_COMMAND, (uri?: unknown) => this.decide(uri, () => ({ action: 'discard', how: 'discarded' }))),
      vscode.window.tabGroups.onDidChangeTabs((e) => this.tabsClosed(e.closed)),
    );
  }

  /** Proposes a compaction of the session and lets the person apply, edit or discard it. */
  async run(sessionId: string, request: CompactRequest, model: vscode.LanguageModelChat | undefined, token?: vscode.CancellationToken, opened?: () => void): Promise<PreviewOutcome> {
    const compactions = this.ctx.sessions.compactions;
    return previewCompaction({
      propose: () =>
        token
          ? compactions.proposeCompaction(sessionId, request, model, token)
          : Promise.resolve(
              vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Preparing the compaction preview…', cancellable: true }, (_p, t) =>
                compactions.proposeCompaction(sessionId, request, model, t),
              ),
            ),
      review: (proposal) => this.review(proposal, token, opened),
      problem: (_proposal, message) => void vscode.window.showErrorMessage(message),
      apply: (proposal, options) => compactions.applyProposal(proposal, options),
      close: (proposal) => this.close(proposal),
    });
  }

  /** Opens the editors the first time; resolves with the next Apply, Discard or close (or the request's cancellation). */
  private async review(proposal: Proposal, token?: vscode.CancellationToken, opened?: () => void): Promise<PreviewDecision> {
    const existing = this.open.get(proposal.key);
    const base = `/${proposal.key}`;
    const entry: OpenPreview = existing ?? {
      proposal,
      summaryUri: vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `${base}/Compaction summary.md` }),
      infoUri: vscode.Uri.from({ scheme: PREVIEW_INFO_SCHEME, path: `${base}/What it replaces.md` }),
      closing: false,
    };
    const decided = new Promise<PreviewDecision>((resolve) => {
      const sub = token?.onCancellationRequested(() => this.settle(entry, { action: 'discard', how: 'closed' }));
      entry.decide = (d) => {
        sub?.dispose();
        resolve(d);
      };
    });
    if (token?.isCancellationRequested) this.settle(entry, { action: 'discard', how: 'closed' });
    if (!existing) {
      this.open.set(proposal.key, entry);
      void vscode.commands.executeCommand('setContext', OPEN_CONTEXT_KEY, true);
      const now = Date.now();
      this.files.set(entry.summaryUri.path, { data: new TextEncoder().encode(`${editableSummary(proposal.record)}\n`), mtime: now, ctime: now });
      const log = await this.ctx.sessions.load(proposal.sessionId);
      this.infos.set(entry.infoUri.path, previewAccount(log, proposal.record));
      const summaryDoc = await vscode.workspace.openTextDocument(entry.summaryUri);
      await vscode.window.showTextDocument(summaryDoc, { preview: false, viewColumn: vscode.ViewColumn.Active });
      const infoDoc = await vscode.workspace.openTextDocument(entry.infoUri);
      await vscode.window.showTextDocument(infoDoc, { preview: false, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
      opened?.();
    }
    return decided;
  }

  /** Resolves the awaited decision once. */
  private settle(entry: OpenPreview, decision: PreviewDecision): void {
    const done = entry.decide;
    entry.decide = undefined;
    done?.(decision);
  }

  private decide(uri: unknown, decision: (p: OpenPreview) => PreviewDecision): void {
    const entry = this.entryOf(uri);
    if (!entry?.decide) {
      void vscode.window.showInformationMessage('There is no compaction preview open here.');
      return;
    }
    this.settle(entry, decision(entry));
  }

  private entryOf(uri: unknown): OpenPreview | undefined {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    const entries = [...this.open.values()];
    if (!target) return entries.length === 1 ? entries[0] : undefined;
    return entries.find((e) => e.summaryUri.toString() === target.toString() || e.infoUri.toString() === target.toString()) ?? (entries.length === 1 ? entries[0] : undefined);
  }

  /** The summary as the person left it: the open document's text (saved or not). */
  private summaryText(entry: OpenPreview): string {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.summaryUri.toString());
    if (doc) return doc.getText();
    const file = this.files.get(entry.summaryUri.path);
    return file ? new TextDecoder().decode(file.data) : editableSummary(entry.proposal.record);
  }

  private tabsClosed(tabs: readonly vscode.Tab[]): void {
    for (const tab of tabs) {
      const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
      if (uri?.scheme !== PREVIEW_SCHEME) continue;
      const entry = [...this.open.values()].find((e) => e.summaryUri.toString() === uri.toString());
      if (entry && !entry.closing) this.settle(entry, { action: 'discard', how: 'closed' });
    }
  }

  /** Closes both editors without a save prompt, and forgets the proposal. */
  private async close(proposal: Proposal): Promise<void> {
    const entry = this.open.get(proposal.key);
    if (!entry) return;
    entry.closing = true;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.summaryUri.toString());
    if (doc?.isDirty) await doc.save().then(undefined, () => undefined);
    const uris = new Set([entry.summaryUri.toString(), entry.infoUri.toString()]);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && uris.has(t.input.uri.toString()));
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true).then(undefined, () => undefined);
    this.open.delete(proposal.key);
    this.files.delete(entry.summaryUri.path);
    this.infos.delete(entry.infoUri.path);
    if (this.open.size === 0) void vscode.commands.executeCommand('setContext', OPEN_CONTEXT_KEY, false);
  }

  // Code lens: Apply / Discard above the summary.
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.entryOf(document.uri)) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(check) Apply this compaction', command: APPLY_PREVIEW_COMMAND, arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: '$(close) Discard', command: DISCARD_PREVIEW_COMMAND, arguments: [document.uri] }),
    ];
  }

  // The read-only account.
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.infos.get(uri.path) ?? 'This compaction preview was closed.';
  }

  // The in-memory file system of the editable summaries.
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const file = this.files.get(uri.path);
    if (file) return { type: vscode.FileType.File, ctime: file.ctime, mtime: file.mtime, size: file.data.byteLength };
    if ([...this.files.keys()].some((p) => p.startsWith(`${uri.path.replace(/\/$/, '')}/`))) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const file = this.files.get(uri.path);
    if (!file) throw vscode.FileSystemError.FileNotFound(uri);
    return file.data;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    const file = this.files.get(uri.path);
    // Only the open previews' summaries exist; nothing else can be created here.
    if (!file) throw vscode.FileSystemError.NoPermissions(uri);
    this.files.set(uri.path, { ...file, data: content, mtime: Date.now() });
    this.fileEmitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    for (const entry of this.open.values()) this.settle(entry, { action: 'discard', how: 'closed' });
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Whether this compaction opens the preview (`compactor.compaction.preview`); automatic and idle ones never do. */
export function wantsPreview(ctx: CompactorContext, kind: 'conversation' | 'partial'): boolean {
  const mode = ctx.config.settings.compactionPreview;
  return mode === 'always' || (mode === 'manual' && kind === 'conversation');
}
