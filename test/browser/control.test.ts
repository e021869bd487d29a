// The person stays in control, and nobody waits (issues 14 and 15), in a real
// VS Code: Compact Conversation opens the proposed compaction as an editable
// summary beside what it replaces; the summary is edited and applied, and the
// next request the model receives carries the edited text; a second preview is
// discarded. Then a session crosses the preparation level, the summary is
// written in the background (a slow model), and the automatic compaction that
// follows applies it with no summary request in its path.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { bulk, runCommand, sendChat } from './harness/browser';
import { withChat } from './harness/chat';
import { startVsCode, type VsCode } from './harness/vscode';

const SUMMARY_PROMPT = 'write a detailed summary of the conversation';
const SCRIPTED_SUMMARY = '<summary>\n1. Primary request and intent: FIXTURE-SUMMARY three long turns about parsers.\n</summary>';

/** Raw lines of the fixture's log, with their times (requests and outcomes). */
function modelLog(vscode: VsCode): { kind: string; id: number; time: string; messages?: { text: string }[]; status?: string }[] {
  return readFileSync(join(vscode.workspaceDir, '.compactor-test', 'requests.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; id: number; time: string });
}

const isSummaryRequest = (e: { kind: string; messages?: { text: string }[] }) => e.kind === 'request' && (e.messages ?? []).some((m) => m.text.includes(SUMMARY_PROMPT));

async function compactFromPalette(page: Page): Promise<void> {
  await runCommand(page, 'Compactor: Compact Conversation');
  await page.locator('.quick-input-widget input').waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter'); // no instructions
}

const summaryTab = (page: Page) => page.locator('.tabs-container .tab', { hasText: 'Compaction summary.md' });

test('preview: Compact Conversation opens the summary; edited and applied, the next request carries the edit; a second one is discarded', { timeout: 600_000 }, async (t) => {
  const vscode = await startVsCode({
    // Preview: the default (`manual`). Preparation off, so only Compact Conversation summarizes.
    settings: { 'compactor.levels.targetPercent': 10, 'compactor.levels.preparePercent': 0 },
    model: {
      maxInputTokens: 24000,
      replies: [
        { match: SUMMARY_PROMPT, scope: 'prompt', reply: SCRIPTED_SUMMARY },
        { match: 'turn ', scope: 'last', reply: 'Noted turn {n}.' },
      ],
    },
  });
  await withChat(t, vscode, 'control-preview', async (page) => {
    for (let i = 1; i <= 3; i++) await sendChat(page, `@compactor turn ${i}: ${bulk(`t${i}`, 250)}`);

    t.diagnostic('step: preview opens');
    await compactFromPalette(page);
    await summaryTab(page).waitFor({ timeout: 60_000 });
    await page.locator('.tabs-container .tab', { hasText: 'What it replaces.md' }).waitFor({ timeout: 15_000 });
    const account = page.locator('.editor-instance', { hasText: 'What this compaction replaces' });
    await account.waitFor({ timeout: 15_000 });
    const accountText = (await account.innerText()).replace(/\s+/g, ' '); // the editor wraps lines
    assert.match(accountText, /Tokens:/);
    assert.match(accountText, /replaced by the summary/);
    const editor = page.locator('.editor-instance', { hasText: 'FIXTURE-SUMMARY' });
    await editor.waitFor({ timeout: 15_000 });
    // Nothing is applied yet: the log has no compaction, so the model has not seen a summary.
    assert.ok(!vscode.requestsOfModel().some((r) => r.messages.some((m) => m.text.includes('<conversation-summary>'))));
    await vscode.screenshot('control-preview-open');

    t.diagnostic('step: edit and apply');
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n- EDITED-BY-PERSON: the deploy key rotates on Fridays');
    await page.locator('.editor-instance', { hasText: 'EDITED-BY-PERSON' }).waitFor({ timeout: 10_000 });
    await vscode.screenshot('control-preview-edited');
    await page.locator('.title-actions [aria-label="Apply Compaction"], .editor-actions [aria-label="Apply Compaction"]').first().click();
    const toast = page.locator('.notification-list-item-message', { hasText: /Compacted: / }).first();
    await toast.waitFor({ timeout: 30_000 });
    assert.match(await toast.innerText(), /summary edited/);
    await summaryTab(page).waitFor({ state: 'detached', timeout: 15_000 });
    await vscode.screenshot('control-preview-applied');

    const reply = await sendChat(page, '@compactor after the edit');
    assert.match(reply, /Echo: after the edit/);
    const next = vscode.requestsOfModel().at(-1);
    assert.equal(next?.messages.at(-1)?.text, 'after the edit');
    const sent = next?.messages.map((m) => m.text).join('\n') ?? '';
    assert.match(sent, /FIXTURE-SUMMARY/, 'the summary is sent');
    assert.match(sent, /EDITED-BY-PERSON: the deploy key rotates on Fridays/, 'with the edited text');
    const history = await sendChat(page, '@compactor /history');
    assert.match(history, /edited/);

    t.diagnostic('step: discard');
    for (let i = 4; i <= 5; i++) await sendChat(page, `@compactor turn ${i}: ${bulk(`t${i}`, 250)}`);
    const before = vscode.requestsOfModel().length;
    await compactFromPalette(page);
    await summaryTab(page).waitFor({ timeout: 60_000 });
    await page.locator('.title-actions [aria-label="Discard Compaction"], .editor-actions [aria-label="Discard Compaction"]').first().click();
    await page.locator('.notification-list-item-message', { hasText: /Discarded; the session is unchanged/ }).first().waitFor({ timeout: 15_000 });
    await summaryTab(page).waitFor({ state: 'detached', timeout: 15_000 });
    const afterDiscard = await sendChat(page, '@compactor /history');
    assert.equal((afterDiscard.match(/manual/g) ?? []).length, 1, `still one compaction: ${afterDiscard}`);
    assert.ok(vscode.requestsOfModel().length > before);
  });
});

test('preparation: crossing the preparation level prepares the summary in the background; auto-compaction applies it with no summary request in its path', { timeout: 600_000 }, async (t) => {
  // Window 6,000 → output reserve 3,000 (half the window) → effective 3,000: preparation at 40% = 1,200, auto-compaction at 85% = 2,550.
  const vscode = await startVsCode({
    settings: { 'compactor.levels.preparePercent': 40, 'compactor.levels.targetPercent': 20, 'compactor.levels.warnPercent': 30 },
    model: {
      maxInputTokens: 6000,
      maxOutputTokens: 4000,
      replies: [
        // The summary model is slow: 5 s.
        { match: SUMMARY_PROMPT, scope: 'prompt', reply: '<summary>\nPREPARED-SUMMARY of the steps so far.\n</summary>', delayMs: 5_000 },
        // The replies carry the bulk (a summary quotes every request, so long requests would barely shrink).
        { match: 'step ', scope: 'last', reply: `Noted step {n}. ${bulk('r', 200)}` },
      ],
    },
  });
  await withChat(t, vscode, 'control-prepared', async (page) => {
    const replies: string[] = [];
    const sentAt: number[] = [];
    for (let i = 1; i <= 10 && !replies.some((r) => /Automatically compacted/.test(r)); i++) {
      sentAt.push(Date.now());
      replies.push(await sendChat(page, `@compactor step ${i}: go on with the migration.`));
      const summary = modelLog(vscode).find(isSummaryRequest);
      if (summary) {
        // Crossed the preparation level: the summary is being written in the background. Let it finish, as time passing between turns would.
        for (let k = 0; k < 60 && !modelLog(vscode).some((e) => e.kind === 'outcome' && e.id === summary.id); k++) await page.waitForTimeout(500);
      }
    }
    const autoAt = replies.findIndex((r) => /Automatically compacted/.test(r));
    assert.ok(autoAt > 0, `automatic compaction happened: ${replies.map((r) => r.slice(0, 60)).join(' | ')}`);
    assert.match(replies[autoAt]!, /prepared in the background/, replies[autoAt]);
    const summaries = modelLog(vscode).filter(isSummaryRequest);
    const outcome = modelLog(vscode).find((e) => e.kind === 'outcome' && e.id === summaries[0]!.id);
    assert.equal(outcome?.status, 'ok');
    assert.ok(Date.parse(outcome!.time) < sentAt[autoAt]!, 'the summary was written before the turn that auto-compacted was sent');
    // No summary request in the auto-compaction's path: its wait is far below the model's 5 s.
    const output = vscode.outputChannelLog('Context Compactor');
    const wait = /automatic compaction compacted after a wait of (\d+) ms \(prepared in the background\)/.exec(output);
    assert.ok(wait, 'the extension logged the prepared auto-compaction');
    assert.ok(Number(wait[1]) < 5_000, `the auto-compaction waited ${wait[1]} ms`);
    // Any later summary request is the next background preparation (the session is still above 40% after compacting), started after the compaction.
    const starts = [...output.matchAll(/preparing the next compaction in the background/g)].map((m) => m.index);
    assert.equal(starts.length, summaries.length, 'every summary request was a background preparation');
    assert.ok(starts.slice(1).every((i) => i > wait.index), 'the later ones started after the auto-compaction');
    t.diagnostic(`auto-compaction wait with a prepared summary: ${wait[1]} ms; summary requests: ${summaries.length}`);
    const last = vscode.requestsOfModel().at(-1);
    assert.match(last?.messages.map((m) => m.text).join('\n') ?? '', /PREPARED-SUMMARY/, 'the request after auto-compaction carries the prepared summary');
    await vscode.screenshot('control-prepared-auto');
    const history = await sendChat(page, '@compactor /history');
    assert.match(history, /prepared/);
    assert.match(vscode.outputChannelLog('Context Compactor'), /preparing the next compaction in the background/);
  });
});
