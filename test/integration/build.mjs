// Bundles the extension-host integration suite (test/integration/suite/*.test.ts)
// into out/integration/*.test.js: CommonJS for the extension host, `vscode`
// external. Run by `npm run test:integration` (desktop VS Code through
// @vscode/test-electron) and by test/browser/integration.test.ts (code-server).
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT_DIR = join(root, 'out', 'integration');

export async function buildSuite() {
  const suiteDir = join(root, 'test', 'integration', 'suite');
  const entryPoints = readdirSync(suiteDir).filter((f) => f.endsWith('.test.ts')).map((f) => join(suiteDir, f));
  await build({ entryPoints, outdir: OUT_DIR, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning' });
  return OUT_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildSuite();
