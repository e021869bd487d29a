import * as vscode from 'vscode';
import { registerChatParticipant } from './chat/participant';

/**
 * Owns the long-lived parts of the extension. Two disposal lists: one for the
 * extension's lifetime, one for the compaction server client's lifetime (so the
 * server can restart without leaking its listeners).
 */
export class CompactorContext {
  readonly output: vscode.LogOutputChannel;
  private readonly extensionDisposables: vscode.Disposable[] = [];
  readonly clientDisposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Context Compactor', { log: true });
    this.extensionDisposables.push(this.output);
    this.extensionDisposables.push(registerChatParticipant(this));
    this.output.info(`Context Compactor ${extension.extension.packageJSON.version as string} activated`);
  }

  async dispose(): Promise<void> {
    for (const d of [...this.clientDisposables.splice(0), ...this.extensionDisposables.splice(0)].reverse()) {
      try {
        d.dispose();
      } catch (err) {
        console.error('[compactor] dispose failed', err);
      }
    }
  }
}
