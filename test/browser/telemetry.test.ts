// Telemetry in a real VS Code (code-server): the extension's PostHog host is
// pointed at a capture server started here, with a fake key. With telemetry on,
// Compact Conversation and /revert each send one event, with no text from the
// session; with `--disable-telemetry`, the same steps send nothing at all.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { startCaptureServer, type CaptureServer } from '../unit/telemetry/captureServer';
import { bulk, sendChat } from './harness/browser';
import { withChat } from './harness/chat';
import { startVsCode, type VsCode } from './harness/vscode';

const SECRETS = ['PELICAN-SECRET-4411', 'quokka_payroll.md', 'notes/quokka_payroll.md'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A stand-in for the PostHog host, and VS Code sending to it; both go when test `t` ends. */
async function start(t: TestContext, telemetry: boolean): Promise<{ capture: CaptureServer; vscode: VsCode }> {
  const capture = await startCaptureServer();
  t.after(() => capture.close());
  const vscode = await startVsCode({
    telemetry,
    settings: {
      'compactor.telemetry.posthogHost': capture.host,
      'compactor.telemetry.posthogKey': 'phc_browser_test_key',
      'compactor.autoCompact.enabled': false,
      'compactor.compaction.preview': 'never',
    },
    // The weight of the conversation is in the model's replies: typing long prompts is slow on a loaded machine.
    model: { maxInputTokens: 16000, replies: [{ match: `/^${SECRETS[0]} turn/`, scope: 'last', reply: bulk('r', 400) }] },
  });
  return { capture, vscode };
}

/**
 * F1, the command's title, Enter (on the filtered palette rather than a click
 * on the exact row: on a loaded machine the row's text settles late). Compact
 * Conversation then asks for instructions: Enter again for none.
 */
async function fromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>Compactor: ${title}`);
  await page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: title }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

async function compactFromPalette(page: Page): Promise<void> {
  await fromPalette(page, 'Compact Conversation');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Compact Conversation' }).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** A conversation full of strings that must not leave the machine, then Compact Conversation from the palette. */
async function chatAndCompact(page: Page): Promise<string> {
  for (let i = 1; i <= 4; i++) {
    await sendChat(page, `@compactor ${SECRETS[0]} turn ${i}: look at notes/quokka_payroll.md`);
  }
  await compactFromPalette(page);
  const toast = page.locator('.notification-list-item-message', { hasText: /Compacted: / }).first();
  await toast.waitFor({ timeout: 60_000 });
  return toast.innerText();
}

test('telemetry on: one compaction_completed per compaction and one compaction_reverted, no session text', { timeout: 240_000 }, async (t) => {
  const { capture, vscode } = await start(t, true);
  await withChat(t, vscode, 'telemetry-on', async (page) => {
    assert.match(await chatAndCompact(page), /Compacted: /);
    const [completed] = await capture.waitForEvents(1, 30_000);
    assert.equal(completed?.event, 'compaction_completed');
    assert.equal(completed?.properties.source, 'manual');
    // The test model's id is not a known family: sent as 'other', never as its raw id.
    assert.equal(completed?.properties.model, 'other');
    for (const key of ['duration_b2', 'input_tokens_b2', 'output_tokens_b2', 'messages_before_b2', 'messages_after_b2']) {
      const value = completed?.properties[key];
      assert.ok(typeof value === 'number' && (value === 0 || Number.isInteger(Math.log2(value))), `${key} = ${String(value)} is a power of two`);
    }
    // Rounded to powers of two, before and after can meet (5K and 3K both send 4096), never cross.
    assert.ok((completed?.properties.input_tokens_b2 as number) >= (completed?.properties.output_tokens_b2 as number), 'it shrank');
    assert.equal(completed?.properties.$process_person_profile, false);
    assert.equal(completed?.properties.$geoip_disable, true);
    assert.match(completed?.distinct_id ?? '', UUID, 'the distinct id is a random UUID');

    await fromPalette(page, 'Revert Last Compaction');
    await page.locator('.notification-list-item-message', { hasText: /Reverted the manual compaction/ }).first().waitFor({ timeout: 60_000 });
    const events = await capture.waitForEvents(2, 30_000);
    assert.deepEqual(events.map((e) => e.event), ['compaction_completed', 'compaction_reverted']);
    assert.equal(events[1]?.distinct_id, completed?.distinct_id, 'one install id');

    // Nothing more arrives (exactly once per compaction), and nothing from the session ever did.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(capture.events().length, 2);
    const sent = capture.bodies.join('\n');
    for (const secret of [...SECRETS, basename(vscode.workspaceDir), 'parserr0']) assert.ok(!sent.includes(secret), `"${secret}" was not sent`);
    assert.doesNotMatch(sent, /common\.|vscodemachineid/);
    assert.match(vscode.outputChannelLog('Context Compactor'), /telemetry: on/);
    await vscode.screenshot('telemetry-on-compacted');
  });
});

test('--disable-telemetry: the same conversation and compaction send nothing', { timeout: 240_000 }, async (t) => {
  const { capture, vscode } = await start(t, false);
  await withChat(t, vscode, 'telemetry-off', async (page) => {
    assert.match(await chatAndCompact(page), /Compacted: /);
    // With telemetry on, events arrive within a second or two (see above); wait well past that.
    await new Promise((r) => setTimeout(r, 5_000));
    assert.equal(capture.requests, 0, 'no request reached the PostHog host');
    assert.match(vscode.outputChannelLog('Context Compactor'), /telemetry: off/);
  });
});
