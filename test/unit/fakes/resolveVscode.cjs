// Preloaded by scripts/run-tests.mjs for the unit layer: `require('vscode')`
// resolves to the fake in vscode.ts (there is no real `vscode` module outside
// an extension host).
const Module = require('node:module');
const { join } = require('node:path');

const fake = join(__dirname, 'vscode.ts');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? fake : resolve.call(this, request, ...rest);
};
