// Entry point of the extension host bundle: activate and deactivate only.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { CompactorContext } from './compactorContext';

let ctx: CompactorContext | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  ctx = new CompactorContext(context);
  // Read by bench/speed/extensionHost.ts: the synchronous part of activation (the server starts in the background).
  ctx.output.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
