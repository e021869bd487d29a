// The extension-host integration suite (test/integration/suite), run inside
// code-server by the runner fixture (test/fixtures/integration-runner): the
// same suite `npm run test:integration` runs in desktop VS Code through
// @vscode/test-electron, which cannot download VS Code on these machines.
// Each suite test is reported here as a subtest, so the counts are of tests
// that actually ran; no results, or fewer than the suite has, is a failure.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './harness/codeServer';
import { startVsCode } from './harness/vscode';

interface SuiteResult {
  suite: string;
  name: string;
  status: 'passed' | 'failed';
  error?: string;
}
interface Results {
  done: boolean;
  files: number;
  crashed?: string;
  results: SuiteResult[];
}

test('the extension-host integration suite passes in code-server', { timeout: 300_000 }, async (t) => {
  const { buildSuite } = (await import(join(REPO_ROOT, 'test', 'integration', 'build.mjs'))) as { buildSuite(): Promise<string> };
  const suiteDir = await buildSuite();
  const vscode = await startVsCode({
    extraExtensions: [join(REPO_ROOT, 'test', 'fixtures', 'integration-runner')],
    env: { COMPACTOR_INTEGRATION_DIR: suiteDir },
  });
  t.after(() => vscode.stop());
  const file = join(vscode.workspaceDir, '.compactor-test', 'integration-results.json');
  const read = (): Results | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Results) : undefined);
  const deadline = Date.now() + 240_000;
  while (!read()?.done) {
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await vscode.screenshot('integration-suite');
  const results = read();
  assert.ok(results?.done, `the suite finished (results: ${JSON.stringify(results)?.slice(0, 500)})`);
  assert.equal(results.crashed, undefined, results.crashed);
  assert.ok(results.files >= 1 && results.results.length >= 5, `the suite's tests ran: ${results.results.length}`);
  for (const r of results.results) {
    await t.test(`${r.suite}: ${r.name}`, () => {
      assert.equal(r.status, 'passed', r.error);
    });
  }
});
