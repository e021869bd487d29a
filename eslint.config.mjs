// Lint: typescript-eslint's recommended rules, plus the architecture's direction:
// the engine (src/compaction) never imports `vscode`, and outside its server
// folder never imports the language-server packages; the webview never imports
// `vscode` or Node built-ins.
import tseslint from 'typescript-eslint';

// `import { z } from 'zod'` pulls every zod locale into a bundle (450 KB);
// the namespace import tree-shakes (85 KB).
const zodNamedImport = {
  selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
  message: "Use `import * as z from 'zod'` (it tree-shakes).",
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/dist/**', 'test/fixtures/**/out/**', 'test-results/**', 'bench/.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', zodNamedImport],
    },
  },
  {
    // Test fixture extensions are plain CommonJS, loaded by VS Code as they are.
    files: ['test/fixtures/**/*.js', 'test/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/compaction/**/*.ts'],
    ignores: ['src/compaction/server/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The engine is editor-agnostic: no vscode in src/compaction.' }],
        patterns: [{ group: ['vscode-languageserver*', 'vscode-jsonrpc*'], message: 'Only src/compaction/server adapts the engine to JSON-RPC.' }],
      }],
    },
  },
  {
    files: ['src/compaction/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The server runs outside VS Code.' }] }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview talks to the host only through messages.' }],
        patterns: [{ group: ['node:*'], message: 'The webview runs in a browser.' }],
      }],
    },
  },
);
