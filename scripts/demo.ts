// The demo: a real VS Code (code-server) in the browser with the packaged
// extension, a local deterministic chat model (the test fixture, so it works
// offline) and a demo session imported from demo/session.json, over the small
// project in demo/workspace. Run through scripts/demo.sh, which builds first.
import { startCodeServer } from '../test/browser/harness/codeServer';
import { PRODUCT_VSIX, TEST_MODEL_EXTENSION } from '../test/browser/harness/vscode';
import { DEMO_PROMPT, DEMO_TRANSCRIPT, demoWorkspaceFiles } from './demoWorkspace';
import { errorMessage } from '../src/compaction/errors';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  const server = await startCodeServer({
    port,
    extensions: [PRODUCT_VSIX, TEST_MODEL_EXTENSION],
    // A fresh copy of demo/workspace each start, so the bug is there every time; the model's
    // window is small (8,000 tokens), so the demo session is near the warn level and the
    // scripted agent's long run auto-compacts several times. Edits and commands ask for
    // confirmation in the Chat view, as they would for anyone (the review step is part of the demo).
    workspaceFiles: demoWorkspaceFiles(),
    settings: { 'files.exclude': { '.compactor-test': true }, 'workbench.colorTheme': 'Default Dark Modern' },
    env: { COMPACTOR_DEMO_TRANSCRIPT: DEMO_TRANSCRIPT },
  });
  console.log('');
  console.log(`Context Compactor demo is running: ${server.url}`);
  console.log('Open it in a browser. The demo session is active (see the status bar);');
  console.log('open the Chat view and talk to @compactor (model: Compactor Test Model). To watch it fix a bug, ask:');
  console.log(`  ${DEMO_PROMPT}`);
  console.log('and allow its edits and commands when it asks (or allow them for the session).');
  console.log('Press Ctrl+C to stop (the harness stops code-server and removes its temp folder).');
  await new Promise(() => undefined);
}

main().catch((err) => {
  console.error(`demo failed: ${errorMessage(err)}`);
  process.exit(1);
});
