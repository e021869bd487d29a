// The set-up most browser tests share once VS Code is up: stop it when the test
// ends, open the chat with the test model selected, run the steps, and keep a
// screenshot of the window when they fail.
import type { TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { openChat, selectChatModel } from './browser';
import type { VsCode } from './vscode';

/**
 * Runs `steps` in the chat of `vscode` (stopped when test `t` ends), the test
 * model selected. A failure leaves the screenshot `<name>-failure` and is thrown on.
 */
export async function withChat(t: TestContext, vscode: VsCode, name: string, steps: (page: Page) => Promise<void>): Promise<void> {
  t.after(() => vscode.stop());
  const { page } = vscode;
  try {
    await openChat(page);
    await selectChatModel(page);
    await steps(page);
  } catch (err) {
    await vscode.screenshot(`${name}-failure`).catch(() => undefined);
    throw err;
  }
}
