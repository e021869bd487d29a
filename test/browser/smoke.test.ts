// Smoke test of the whole path a person uses: code-server's Chat view →
// @compactor participant → vscode.lm → the deterministic test model, and back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  openChat,
  participantSuggestions,
  runCommand,
  selectChatModel,
  sendChat,
  statusBarText,
} from './harness/browser';
import { startVsCode } from './harness/vscode';

test('@compactor answers through the test model in the Chat view', { timeout: 240_000 }, async (t) => {
  const vscode = await startVsCode();
  t.after(() => vscode.stop());
  const { page } = vscode;
  try {
    await openChat(page);
    await selectChatModel(page, 'Compactor Test Model');

    const suggestions = await participantSuggestions(page);
    assert.ok(suggestions.includes('@compactor'), `@compactor is offered in the chat input; got ${suggestions.join(', ')}`);

    const reply = await sendChat(page, '@compactor hello from the smoke test');
    assert.match(reply, /Echo: hello from the smoke test/);
    await vscode.screenshot('smoke-chat-reply');

    // The model received exactly what the person typed, as a user message.
    const requests = vscode.requestsOfModel();
    assert.equal(requests.length, 1, 'one request reached the test model');
    const request = requests[0]!;
    assert.equal(request.model, 'test-model');
    assert.deepEqual(request.messages.at(-1), { role: 'user', text: 'hello from the smoke test', parts: ['text'] });
    assert.equal(request.outcome?.status, 'ok');
    assert.equal(request.outcome?.reply, 'Echo: hello from the smoke test');

    // The extension activated: its log output channel was written, and VS Code lists it.
    assert.match(vscode.outputChannelLog('Context Compactor'), /Context Compactor \d+\.\d+\.\d+ activated/);
    await runCommand(page, 'Output: Show Output Channels...');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Context Compactor' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Escape');

    assert.ok((await statusBarText(page)).length > 0, 'the status bar is readable');
  } catch (err) {
    await vscode.screenshot('smoke-failure').catch(() => undefined);
    throw err;
  }
});
