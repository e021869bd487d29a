// Builds the three bundles: the extension host, the compaction server and the
// CLI (node, cjs, `vscode` external), and the webview (browser, iife).
// `--production` minifies (with source maps); `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packRanks } from './scripts/packRanks.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const require = createRequire(import.meta.url);

/**
 * tiktoken's wasm and rank files must ship inside the package (node_modules is
 * not packaged). The lite wasm plus the two encodings we use (their rank files
 * packed as raw bytes, scripts/packRanks.mjs), brotli-compressed,
 * keep the .vsix under 2 MB (the full wasm alone is 5.4 MB); the engine's
 * tokenizer decompresses them once, lazily (src/compaction/tokens/tiktokenAssets.ts).
 */
function writeTiktokenAssets() {
  const root = dirname(require.resolve('tiktoken'));
  const assets = {
    'tiktoken_bg.wasm.br': { src: join(root, 'lite', 'tiktoken_bg.wasm'), pack: (bytes) => bytes },
    'o200k_base.ranks.br': { src: join(root, 'encoders', 'o200k_base.json'), pack: packRanks },
    'cl100k_base.ranks.br': { src: join(root, 'encoders', 'cl100k_base.json'), pack: packRanks },
  };
  mkdirSync('dist/tiktoken', { recursive: true });
  // Files an older build wrote under other names would ship in the .vsix too.
  for (const old of readdirSync('dist/tiktoken')) if (!(old in assets)) rmSync(join('dist/tiktoken', old));
  for (const [name, { src, pack }] of Object.entries(assets)) {
    const out = join('dist/tiktoken', name);
    if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) continue;
    const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 };
    writeFileSync(out, zlib.brotliCompressSync(pack(readFileSync(src)), { params }));
  }
}

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? 'linked' : 'inline',
  sourcesContent: false,
  logLevel: 'warning',
  loader: { '.md': 'text', '.txt': 'text' },
};

/** @type {import('esbuild').BuildOptions} */
const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // The PostHog project a release build reports to; empty (nothing is sent) unless
  // COMPACTOR_POSTHOG_KEY is set when building. Users can also set it in settings.
  define: {
    __COMPACTOR_POSTHOG_KEY__: JSON.stringify(process.env.COMPACTOR_POSTHOG_KEY ?? ''),
    __COMPACTOR_POSTHOG_HOST__: JSON.stringify(process.env.COMPACTOR_POSTHOG_HOST ?? ''),
  },
};

const builds = [
  { ...node, entryPoints: { extension: 'extension/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { server: 'src/compaction/server/main.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/compaction/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist' },
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

writeTiktokenAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
