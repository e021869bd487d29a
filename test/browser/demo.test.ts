// The README's main command, as a person runs it: `bash scripts/demo.sh`, open
// the URL it prints, and use the demo session at once — Compact Conversation
// right after the window opens (while the demo transcript may still be being
// imported), the gauge, and @compactor in the Chat view.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { launchBrowser, openChat, openWorkbench, participantSuggestions, runCommand, screenshot, selectChatModel, sendChat } from './harness/browser';
import { REPO_ROOT, freePort } from './harness/codeServer';

/** npm ci is skipped when node_modules is current; packaging and code-server's start remain. */
const DEMO_START_TIMEOUT_MS = 240_000;

test('the demo command serves VS Code with the demo session, which compacts at once', { timeout: 600_000 }, async (t) => {
  const port = await freePort();
  const demo = spawn('bash', ['scripts/demo.sh'], { cwd: REPO_ROOT, env: { ...process.env, PORT: String(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  demo.stdout.on('data', (b: Buffer) => (out += b.toString()));
  demo.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((res) => demo.once('exit', (code) => res(code)));
  t.after(async () => {
    // Ctrl+C, as the demo says: it stops code-server and removes its folder.
    if (demo.exitCode === null && demo.pid !== undefined) process.kill(-demo.pid, 'SIGINT');
    await exited;
  });

  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`the demo printed no URL in ${DEMO_START_TIMEOUT_MS} ms:\n${out}`)), DEMO_START_TIMEOUT_MS);
    const check = () => {
      const m = /demo is running: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    demo.stdout.on('data', check);
    void exited.then((code) => rej(new Error(`the demo exited (${code}) before printing its URL:\n${out}`)));
  });
  assert.equal(url, `http://127.0.0.1:${port}/`);

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await openWorkbench(browser, url);
  try {
    // At once, as a person who opened the URL would: the command waits for the demo
    // session instead of saying there is none.
    await runCommand(page, 'Compactor: Compact Conversation');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter'); // no instructions
    // The preview (compactor.compaction.preview: manual, the default) opens the proposed summary; Apply it.
    const apply = page.locator('.title-actions [aria-label="Apply Compaction"], .editor-actions [aria-label="Apply Compaction"]').first();
    await apply.waitFor({ timeout: 120_000 });
    await screenshot(page, 'demo-preview');
    await apply.click();
    const toast = page.locator('.notification-list-item-message', { hasText: /Compacted: |no active|cannot/i }).first();
    await toast.waitFor({ timeout: 120_000 });
    assert.match(await toast.innerText(), /Compacted: [\d.]+K → [\d.]+K? tokens/);

    // The gauge shows the demo session.
    const gauge = page.locator('.statusbar-item').filter({ hasText: /\d+% · [\d.]+K?\/[\d.]+K?/ }).first();
    await gauge.waitFor({ timeout: 30_000 });

    await openChat(page);
    await selectChatModel(page);
    const suggestions = await participantSuggestions(page);
    assert.ok(suggestions.includes('@compactor'), `@compactor is offered in the chat input; got ${suggestions.join(', ')}`);
    assert.match(await sendChat(page, '@compactor hello from the demo'), /Echo: hello from the demo/);
    await screenshot(page, 'demo-after-compaction');
  } catch (err) {
    await screenshot(page, 'demo-failure').catch(() => undefined);
    throw err;
  }
});
