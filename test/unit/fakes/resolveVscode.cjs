// Preloaded by scripts/run-tests.mjs for the unit layer: `require('vscode')`
// resolves to the fake in vscode.ts (there is no real `vscode` module outside
// an extension host), and `vscode-languageclient/node` (which needs the real
// one) to the fake client in languageClient.ts.
const Module = require('node:module');
const { join } = require('node:path');

const fakes = {
  vscode: join(__dirname, 'vscode.ts'),
  'vscode-languageclient/node': join(__dirname, 'languageClient.ts'),
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return fakes[request] ?? resolve.call(this, request, ...rest);
};
