/**
 * Sizes of what ships: the production bundles (`node esbuild.mjs --production`),
 * the brotli-compressed tokenizer assets, and the .vsix. The .vsix is packaged
 * by vsce into a temp folder (the command of `npm run package`, without
 * touching `dist/context-compactor.vsix`), with placeholder base URLs: the
 * package.json repository is a placeholder and vsce refuses to rewrite the
 * README's relative image links without one; the URLs change a few bytes of
 * README text, not what ships. When vsce still fails, an existing
 * `dist/context-compactor.vsix` is reported instead, saying so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The target: the .vsix stays under 2 MB, read strictly (decimal, 2,000,000 bytes); the report also gives MiB. */
export const VSIX_MAX_BYTES = 2_000_000;

/** vsce needs a base for the README's relative links; the package.json repository is a placeholder. */
const BASE_URL = 'https://example.invalid/context-compactor/';

export interface FileSize {
  file: string;
  bytes: number;
}

export interface BundleResult {
  build: 'ok' | 'failed';
  buildError?: string;
  files: FileSize[];
  vsix?: { bytes: number; source: string; meetsTarget: boolean };
  vsixError?: string;
}

function sizes(dir: string, keep: (f: string) => boolean, prefix: string): FileSize[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(keep)
    .sort()
    .map((f) => ({ file: `${prefix}${f}`, bytes: statSync(join(dir, f)).size }));
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-5).join('\n');
}

export function benchBundle(repoRoot: string): BundleResult {
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: repoRoot, encoding: 'utf8' });
  const result: BundleResult = {
    build: build.status === 0 ? 'ok' : 'failed',
    files: [
      ...sizes(join(repoRoot, 'dist'), (f) => f.endsWith('.js') || f.endsWith('.js.map'), 'dist/'),
      ...sizes(join(repoRoot, 'dist', 'tiktoken'), () => true, 'dist/tiktoken/'),
    ],
  };
  if (build.status !== 0) result.buildError = tail(build.stderr || build.stdout);

  const dir = mkdtempSync(join(tmpdir(), 'compactor-vsix-'));
  try {
    const out = join(dir, 'context-compactor.vsix');
    const vsce = require.resolve('@vscode/vsce/vsce');
    const pack = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--baseContentUrl', BASE_URL, '--baseImagesUrl', BASE_URL, '--out', out], { cwd: repoRoot, encoding: 'utf8', input: 'y\n' });
    if (pack.status === 0 && existsSync(out)) {
      const bytes = statSync(out).size;
      result.vsix = { bytes, source: 'packaged by this run: vsce package --no-dependencies (as npm run package) with placeholder --baseContentUrl/--baseImagesUrl', meetsTarget: bytes < VSIX_MAX_BYTES };
    } else {
      result.vsixError = tail(pack.stderr || pack.stdout);
      const existing = join(repoRoot, 'dist', 'context-compactor.vsix');
      if (existsSync(existing)) {
        const bytes = statSync(existing).size;
        result.vsix = { bytes, source: `existing dist/context-compactor.vsix (${statSync(existing).mtime.toISOString()}); vsce failed in this run`, meetsTarget: bytes < VSIX_MAX_BYTES };
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
