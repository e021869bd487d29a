/**
 * Extension-host integration suite: runs inside a real VS Code with the
 * extension installed — desktop VS Code through @vscode/test-electron
 * (`npm run test:integration`, `.vscode-test.mjs`), and code-server through
 * the runner fixture (test/browser/integration.test.ts), so CI runs it too.
 * Written against the `vscode` API and the extension's public API only; TDD
 * UI (`suite`/`test`) as mocha provides it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CompactorApi } from '../../../extension/api/compactorApi';
import { syntheticTranscripts } from '../../fixtures/transcripts';

/** Mocha's TDD UI (under @vscode/test-electron) or the code-server runner's (test/fixtures/integration-runner) — the same globals. */
declare function suite(name: string, body: () => void): void;
declare function test(name: string, fn: () => unknown): void;

const EXTENSION_ID = 'context-compactor.context-compactor';

interface Contributions {
  commands: Array<{ command: string }>;
  languageModelTools: Array<{ name: string; inputSchema: { properties?: Record<string, unknown>; required?: string[] } }>;
}

async function activated(): Promise<{ api: CompactorApi; contributes: Contributions }> {
  const extension = vscode.extensions.getExtension<CompactorApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  const api = await extension.activate();
  const contributes = (JSON.parse(readFileSync(join(extension.extensionPath, 'package.json'), 'utf8')) as { contributes: Contributions }).contributes;
  return { api, contributes };
}

suite('Context Compactor in the extension host', () => {
  test('activates and returns API version 1', async () => {
    const { api } = await activated();
    assert.equal(api.apiVersion, 1);
    assert.equal(typeof api.compact, 'function');
    assert.equal(typeof api.onWillCompact, 'function');
  });

  test('registers every command it contributes', async () => {
    const { contributes } = await activated();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributes.commands.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
  });

  test('registers every language-model tool it contributes, with the contributed input schema', async () => {
    const { contributes } = await activated();
    for (const tool of contributes.languageModelTools) {
      const info = vscode.lm.tools.find((t) => t.name === tool.name);
      assert.ok(info, `${tool.name} is registered`);
      const schema = info.inputSchema as { properties?: Record<string, unknown> } | undefined;
      assert.deepEqual(Object.keys(schema?.properties ?? {}).sort(), Object.keys(tool.inputSchema.properties ?? {}).sort(), `${tool.name} input schema`);
    }
  });

  test('imports a transcript, measures it, compacts it through the API with hooks, and reverts', async () => {
    const { api } = await activated();
    const dir = await mkdtemp(join(tmpdir(), 'compactor-integration-'));
    const transcript = syntheticTranscripts().find((t) => t.format === 'openai')!;
    const file = join(dir, transcript.fileName);
    await writeFile(file, transcript.text);

    const sessionId = await vscode.commands.executeCommand<string | undefined>('compactor.importTranscript', file);
    assert.ok(sessionId, 'the import returns the new session id');
    assert.equal(api.getActiveSessionId(), sessionId, 'the imported session becomes active');
    const before = await api.getUsage(sessionId);
    assert.ok(before && before.used > 5_000, `the session is measured (${before?.used} tokens)`);

    const seen: string[] = [];
    const will = api.onWillCompact((e) => {
      seen.push(`will:${e.source}`);
      e.addInstructions('Keep the time-zone decision.');
    });
    const did = api.onDidCompact((e) => seen.push(`did:${e.sessionId === sessionId}`));
    try {
      const report = await api.compact({ sessionId });
      assert.equal(report.status, 'compacted', report.reason);
      assert.ok(report.after.tokens < report.before.tokens, 'the context shrank');
      assert.deepEqual(seen, ['will:manual', 'did:true'], 'the hooks ran once each, in order');
      const after = await api.getUsage(sessionId);
      assert.ok(after && after.used < before.used);

      await vscode.commands.executeCommand('compactor.revertLastCompaction');
      const reverted = await api.getUsage(sessionId);
      assert.equal(reverted?.used, before.used, 'the revert brings the full context back');
    } finally {
      will.dispose();
      did.dispose();
    }
  });

  test('a malformed setting falls back to its default and the extension keeps working', async () => {
    const { api } = await activated();
    const config = vscode.workspace.getConfiguration('compactor');
    await config.update('levels.warnPercent', 'loud', vscode.ConfigurationTarget.Global);
    try {
      const usage = await api.getUsage();
      assert.ok(usage === undefined || ['ok', 'warn', 'auto', 'over'].includes(usage.level), 'usage is still computed, at a valid level');
    } finally {
      await config.update('levels.warnPercent', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
