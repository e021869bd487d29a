// Entry point of the extension host bundle: activate and deactivate only.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { createCompactorApi, type CompactorApi } from './api/compactorApi';
import { CompactorContext } from './compactorContext';

export type { CompactorApi };

let ctx: CompactorContext | undefined;

/** Returns the API other extensions use (extension/api/compactorApi.ts; documented in the README). */
export function activate(context: vscode.ExtensionContext): CompactorApi {
  const started = performance.now();
  ctx = new CompactorContext(context);
  // Read by bench/speed/extensionHost.ts: the synchronous part of activation (the server starts in the background).
  ctx.output.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  return createCompactorApi(ctx);
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
