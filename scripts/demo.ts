// The demo: a real VS Code (code-server) in the browser with the packaged
// extension, a local deterministic chat model (the test fixture, so it works
// offline) and a demo session imported from demo/session.json, over the small
// project in demo/workspace. Run through scripts/demo.sh, which builds first.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, startCodeServer } from '../test/browser/harness/codeServer';
import { PRODUCT_VSIX, TEST_MODEL_EXTENSION } from '../test/browser/harness/vscode';

const DEMO = join(REPO_ROOT, 'demo');

function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  const server = await startCodeServer({
    port,
    extensions: [PRODUCT_VSIX, TEST_MODEL_EXTENSION],
    workspaceFiles: {
      ...filesOf(join(DEMO, 'workspace')),
      // A small window, so the demo session is near the warn level and a few turns reach auto-compaction.
      '.compactor-test/model.json': JSON.stringify({ maxInputTokens: 8000, maxOutputTokens: 4000 }, null, 2),
    },
    settings: { 'files.exclude': { '.compactor-test': true }, 'workbench.colorTheme': 'Default Dark Modern' },
    env: { COMPACTOR_DEMO_TRANSCRIPT: join(DEMO, 'session.json') },
  });
  console.log('');
  console.log(`Context Compactor demo is running: ${server.url}`);
  console.log('Open it in a browser. The demo session is active (see the status bar);');
  console.log('open the Chat view and talk to @compactor (model: Compactor Test Model).');
  console.log('Press Ctrl+C to stop (the harness stops code-server and removes its temp folder).');
  await new Promise(() => undefined);
}

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
