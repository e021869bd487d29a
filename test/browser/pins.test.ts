// Pins and the before/after view, the way a person uses them: `/pin` a reply
// in chat, compact twice, and check the pinned reply is still in the request
// the model receives, verbatim, as a message of its own; the Context view
// lists the pin with its cost; a history entry opens the context before and
// after that compaction side by side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { bulk, runCommand, sendChat } from './harness/browser';
import { withChat } from './harness/chat';
import { startVsCode, type ModelRequest, type VsCode } from './harness/vscode';

const PINNED_REPLY = 'CONSTRAINT-7731: never touch the deploy key in vault path secret/ops/deploy; rotate it only through the runbook.';
const SUMMARY = '<summary>\n1. Primary request and intent: FIXTURE-SUMMARY long turns about parsers.\n</summary>';

const lastRequest = (vscode: VsCode): ModelRequest => {
  const last = vscode.requestsOfModel().at(-1);
  assert.ok(last, 'the model received a request');
  return last;
};
const hasSummary = (r: ModelRequest) => r.messages.some((m) => m.text.includes('FIXTURE-SUMMARY'));

/** The Context view's document (the webview's inner frame). */
function contextView(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

test('a pinned reply survives two compactions verbatim; the Context view lists it; a history entry opens the before/after view', { timeout: 900_000 }, async (t) => {
  const vscode = await startVsCode({
    // Target 10% of the effective window: a summary and the last turn, so the first turns are folded away.
    settings: { 'compactor.levels.targetPercent': 10, 'compactor.autoCompact.enabled': false, 'compactor.compaction.preview': 'never' },
    model: {
      maxInputTokens: 24000,
      replies: [
        { match: 'write a detailed summary of the conversation', scope: 'prompt', reply: SUMMARY },
        { match: 'the rule for the deploy key', scope: 'last', reply: PINNED_REPLY },
        { match: 'turn ', scope: 'last', reply: 'Noted turn {n}.' },
      ],
    },
  });
  await withChat(t, vscode, 'pins', async (page) => {
    // 1. A reply the person wants kept, pinned with /pin (the last reply).
    assert.match(await sendChat(page, '@compactor what is the rule for the deploy key?'), /CONSTRAINT-7731/);
    const pinned = await sendChat(page, '@compactor /pin');
    assert.match(pinned, /Pinned “CONSTRAINT-7731/);
    await vscode.screenshot('pins-chat-pinned');

    // 2. Long turns, /compact, more long turns, /compact again.
    for (let n = 1; n <= 3; n++) await sendChat(page, `@compactor turn ${n}: ${bulk(`a${n}`, 400)}`);
    assert.match(await sendChat(page, '@compactor /compact'), /Compacted/);
    for (let n = 4; n <= 6; n++) await sendChat(page, `@compactor turn ${n}: ${bulk(`b${n}`, 400)}`);
    assert.match(await sendChat(page, '@compactor /compact'), /Compacted/);
    await sendChat(page, '@compactor turn 7: short question');

    // 3. The request after two compactions: the summary, and the pinned reply as its own message, verbatim.
    const after = lastRequest(vscode);
    assert.ok(hasSummary(after), 'the request carries the summary');
    assert.ok(
      after.messages.some((m) => m.role === 'assistant' && m.text === PINNED_REPLY),
      `the pinned reply is sent verbatim; got ${JSON.stringify(after.messages.map((m) => `${m.role}: ${m.text.slice(0, 50)}`))}`,
    );
    assert.ok(!after.messages.some((m) => m.text.includes('parsera10')), 'the unpinned long turns were folded away');
    const texts = after.messages.map((m) => m.text);
    assert.ok(texts.findIndex((x) => x.includes('FIXTURE-SUMMARY')) < texts.indexOf(PINNED_REPLY), 'the summary comes first, the pin after it');

    // 4. The Context view lists the pin and its cost.
    await runCommand(page, 'Compactor: Show Context');
    const view = contextView(page);
    const pin = view.locator('[data-testid="pin"]');
    await pin.first().waitFor({ timeout: 30_000 });
    assert.equal(await pin.count(), 1);
    assert.match(await pin.first().innerText(), /CONSTRAINT-7731[\s\S]*\d+ tok/);
    await vscode.screenshot('pins-context-view');

    // 5. The newest history entry opens the before/after view: two read-only documents side by side.
    const entry = view.locator('[data-testid="history-entry"]').first();
    await entry.locator('summary').click();
    await entry.locator('[data-testid="before-after"]').click();
    const tab = page.locator('.tab', { hasText: /Context before ↔ after/ });
    await tab.waitFor({ timeout: 30_000 });
    const diff = page.locator('.editor-instance .monaco-diff-editor');
    await diff.waitFor({ timeout: 30_000 });
    await page.waitForFunction(`/Context after the compaction/.test((document.querySelector('.monaco-diff-editor')?.textContent ?? '').replace(/\\u00a0/g, ' '))`, undefined, { timeout: 30_000 });
    const shown = ((await diff.innerText()) || '').replace(/\u00a0/g, ' ');
    assert.match(shown, /Context before the compaction/);
    assert.match(shown, /Messages summarized or dropped: \d+/);
    // The editor renders only the lines in view (the system prompt fills the first screen): find the pin, as a person would.
    await diff.locator('.editor.modified .view-lines:not(.line-delete)').first().click();
    await page.keyboard.press('ControlOrMeta+F');
    await page.keyboard.type('assistant · pinned');
    await page.keyboard.press('Enter');
    await page.waitForFunction(`/### assistant · pinned · \\d+ tokens/.test((document.querySelector('.monaco-diff-editor .editor.modified')?.textContent ?? '').replace(/\\u00a0/g, ' '))`, undefined, { timeout: 15_000 })
      .catch(() => undefined);
    const found = ((await diff.locator('.editor.modified').innerText()) || '').replace(/\u00a0/g, ' ');
    assert.match(found, /### assistant · pinned · \d+ tokens/, 'the pin is marked in the view');
    await page.keyboard.press('Escape');
    await vscode.screenshot('pins-before-after');

    // 6. From the view's title: revert is offered, and a message can be pinned from there.
    const actions = page.locator('.editor-actions');
    await actions.locator('[aria-label^="Revert This Compaction"]').first().waitFor({ timeout: 15_000 });
    await actions.locator('[aria-label^="Pin or Unpin a Message"]').first().click();
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: /Noted turn/ }).first();
    await row.waitFor({ timeout: 15_000 });
    await vscode.screenshot('pins-before-after-picker');
    await row.click();
    const deadline = Date.now() + 20_000;
    while ((await pin.count()) < 2 && Date.now() < deadline) await page.waitForTimeout(250);
    assert.equal(await pin.count(), 2, 'the message pinned from the before/after view is listed in the Context view');
    await vscode.screenshot('pins-pinned-from-view');
  });
});
