// The extension-host integration suite in desktop VS Code, run by
// @vscode/test-cli over @vscode/test-electron: `npm run test:integration`
// (builds the extension and the suite first). It downloads VS Code, so it
// needs the internet; where that is not possible (these CI machines), the same
// suite runs in code-server through test/browser/integration.test.ts.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'integration',
  files: 'out/integration/**/*.test.js',
  version: '1.104.0',
  workspaceFolder: './demo/workspace',
  mocha: { ui: 'tdd', timeout: 60_000 },
  launchArgs: ['--disable-extensions'],
});
