// Entry point of the extension host bundle: activate and deactivate only.
import * as vscode from 'vscode';
import { CompactorContext } from './compactorContext';

let ctx: CompactorContext | undefined;

export function activate(context: vscode.ExtensionContext): void {
  ctx = new CompactorContext(context);
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
