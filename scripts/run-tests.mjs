#!/usr/bin/env node
// Runs one test layer with node's built-in runner, TypeScript loaded by tsx.
// Node 20's `--test` takes no globs, so the files are listed here.
//   node scripts/run-tests.mjs unit|server|reliability|browser [test files…] [extra node --test flags]
// Test files given after the layer replace the layer's full list (for running one test).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const layer = process.argv[2];
if (!['unit', 'server', 'reliability', 'browser'].includes(layer ?? '')) {
  console.error('usage: run-tests.mjs unit|server|reliability|browser');
  process.exit(2);
}

function findTests(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

let files = [];
try {
  files = findTests(join('test', layer));
} catch {
  files = [];
}
if (files.length === 0) {
  console.error(`no tests found under test/${layer}`);
  process.exit(1);
}
const extra = process.argv.slice(3);
const chosen = extra.filter((a) => a.endsWith('.test.ts'));
const flags = extra.filter((a) => !a.endsWith('.test.ts'));
const args = ['--import', 'tsx', '--test', '--test-reporter=spec'];
if (layer === 'browser') args.push('--test-concurrency=1');
// Unit tests of the extension host's middle layer load a fake `vscode` module.
if (layer === 'unit') args.push('--require', './test/unit/fakes/resolveVscode.cjs');
args.push(...flags, ...(chosen.length ? chosen : files));
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
