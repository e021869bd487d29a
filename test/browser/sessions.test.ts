// What a person does every day with @compactor, in a real VS Code: a
// conversation with tool calls, Compact Conversation from the command palette,
// /revert, a window reload, and automatic compaction near the threshold —
// each asserted on what the fixture model received next.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { bulk, openChat, runCommand, selectChatModel, sendChat } from './harness/browser';
import { withChat } from './harness/chat';
import { startVsCode, type ModelRequest, type VsCode } from './harness/vscode';

const SCRIPTED_SUMMARY =
  '<analysis>ANALYSIS-SCRATCHPAD the user asked about store.js, then sent four long turns.</analysis>\n' +
  '<summary>\n1. Primary request and intent: FIXTURE-SUMMARY read src/store.js (loadTodos), then four long turns about parsers.\n</summary>';

const hasSummary = (r: ModelRequest) => r.messages.some((m) => m.text.includes('<conversation-summary>'));
const lastRequest = (vscode: VsCode) => {
  const all = vscode.requestsOfModel();
  const last = all.at(-1);
  assert.ok(last, 'the model received a request');
  return last;
};

async function compactFromPalette(page: Page): Promise<string> {
  await runCommand(page, 'Compactor: Compact Conversation');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter'); // no instructions
  const toast = page.locator('.notification-list-item-message', { hasText: /Compacted: / }).first();
  await toast.waitFor({ timeout: 60_000 });
  return toast.innerText();
}

test('a conversation with tool calls, Compact Conversation, /revert and a reload', { timeout: 900_000 }, async (t) => {
  const vscode = await startVsCode({
    // Target 10% of 12,000 = 1,200 tokens: a summary plus the last long turn.
    // compaction.preview never: this test is about compacting at once (test/browser/control.test.ts covers the preview).
    settings: { 'compactor.levels.targetPercent': 10, 'compactor.compaction.preview': 'never' },
    workspaceFiles: {
      // The fixture consumes the extension API: a before-compaction hook and an after-compaction log.
      '.compactor-test/api-hook.json': JSON.stringify({ instructions: 'HOOK-INSTRUCTION keep the store API' }),
      'src/store.js': 'export function loadTodos(path) {\n  return JSON.parse(readFileSync(path, "utf8"));\n}\n' },
    model: {
      // Window 24,000 → output reserve 12,000 (half the window: vscode.lm does not report the
      // maximum output) → effective 12,000: four long turns (~800 tokens each) stay below auto-compaction.
      maxInputTokens: 24000,
      replies: [
        // The summary request of Compact Conversation (the LLM pipeline's prompt).
        { match: 'write a detailed summary of the conversation', scope: 'prompt', reply: SCRIPTED_SUMMARY },
        { match: 'turn ', scope: 'last', reply: 'Noted turn {n}.' },
        { match: 'what is in src/store.js', scope: 'last', toolCalls: [{ name: 'compactor_readFile', input: { path: 'src/store.js' } }], afterTools: 'store.js defines loadTodos.' },
      ],
    },
  });
  await withChat(t, vscode, 'sessions', async (page) => {
    t.diagnostic('step: 1 tool calls');
    // 1. Tool calls: the model asks to read a file, gets the result, answers.
    const toolReply = await sendChat(page, '@compactor what is in src/store.js?');
    assert.match(toolReply, /store\.js defines loadTodos/);
    const [askTool, afterTool] = vscode.requestsOfModel().slice(-2);
    assert.ok(askTool?.toolNames.includes('compactor_readFile'), `tools offered: ${askTool?.toolNames.join(', ')}`);
    const toolResult = afterTool?.messages.at(-1);
    assert.deepEqual(toolResult?.parts, ['tool_result']);
    assert.match(toolResult?.text ?? '', /loadTodos/, 'the tool result carried the file');

    t.diagnostic('step: 2 long turns');
    // 2. A longer conversation, then Compact Conversation from the command palette.
    for (let i = 1; i <= 4; i++) await sendChat(page, `@compactor turn ${i}: ${bulk(`t${i}`, 250)}`);
    const beforeCompaction = lastRequest(vscode);
    t.diagnostic('step: compact from palette');
    const toast = await compactFromPalette(page);
    assert.match(toast, /Compacted: [\d.]+K → [\d.]+K tokens/);
    await vscode.screenshot('sessions-compacted');
    await sendChat(page, '@compactor after compaction');
    const afterCompaction = lastRequest(vscode);
    assert.equal(afterCompaction.messages.at(-1)?.text, 'after compaction', 'the new request itself is sent');
    assert.ok(hasSummary(afterCompaction), 'the next request carries the summary');
    const summaryRequest = vscode.requestsOfModel().find((r) => r.messages.some((m) => m.text.includes('write a detailed summary of the conversation')));
    assert.ok(summaryRequest, 'Compact Conversation asked the session model for the summary');
    assert.ok(
      summaryRequest.messages.some((m) => m.text.includes('HOOK-INSTRUCTION keep the store API')),
      "the API's before-compaction hook added its instructions to the summary request",
    );
    const apiEvents = readFileSync(join(vscode.workspaceDir, '.compactor-test', 'api-events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string; before: number; after: number; apiVersion: number; active: string });
    assert.equal(apiEvents.length, 1, 'one after-compaction event reached the API listener');
    assert.equal(apiEvents[0]!.status, 'compacted');
    assert.ok(apiEvents[0]!.after < apiEvents[0]!.before);
    assert.equal(apiEvents[0]!.apiVersion, 1);
    const sent = afterCompaction.messages.map((m) => m.text).join('\n');
    assert.match(sent, /FIXTURE-SUMMARY/, "the model's summary is what the next request carries");
    assert.doesNotMatch(sent, /ANALYSIS-SCRATCHPAD/, 'the analysis scratchpad was stripped');
    assert.match(sent, /turn 4: parsert4/, 'the kept tail (the last turn) is sent verbatim');
    assert.ok(
      afterCompaction.promptTokens < beforeCompaction.promptTokens * 0.75,
      `the next request is smaller: ${afterCompaction.promptTokens} vs ${beforeCompaction.promptTokens} tokens`,
    );
    // The summary may quote the old requests (the ledger keeps every request); the old turns themselves are gone.
    const unsummarized = afterCompaction.messages.filter((m) => !m.text.includes('<conversation-summary>'));
    assert.ok(!unsummarized.some((m) => m.text.includes('parsert10')), 'old turns are no longer sent as messages');

    t.diagnostic('step: 3 revert');
    // 3. /revert brings the full transcript back.
    const reverted = await sendChat(page, '@compactor /revert');
    assert.match(reverted, /Reverted the manual compaction/);
    await sendChat(page, '@compactor after revert');
    const afterRevert = lastRequest(vscode);
    assert.equal(afterRevert.messages.at(-1)?.text, 'after revert');
    assert.ok(!hasSummary(afterRevert), 'no summary after the revert');
    assert.ok(afterRevert.messages.some((m) => m.text.includes('parsert10')), 'the first long turn is back verbatim');

    t.diagnostic('step: 4 reload');
    // 4. A reload keeps the session and its history.
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.statusbar').waitFor({ timeout: 60_000 });
    await openChat(page);
    await selectChatModel(page);
    const history = await sendChat(page, '@compactor /history');
    assert.match(history, /manual/);
    assert.match(history, /reverted/);
    await vscode.screenshot('sessions-history-after-reload');
  });
});

test('automatic compaction fires once near the threshold, not again on the next turn', { timeout: 900_000 }, async (t) => {
  // Window 6,000 → output reserve 3,000 (half the window) → effective 3,000; auto-compact at 85% = 2,550.
  const vscode = await startVsCode({
    model: { maxInputTokens: 6000, maxOutputTokens: 4000, replies: [{ match: 'step ', scope: 'last', reply: 'Noted step {n}.' }] },
  });
  await withChat(t, vscode, 'sessions-auto', async (page) => {
    const replies: string[] = [];
    for (let i = 1; i <= 6 && !replies.some((r) => /Automatically compacted/.test(r)); i++) {
      replies.push(await sendChat(page, `@compactor step ${i}: ${bulk(`s${i}`, 300)}`));
    }
    const autoAt = replies.findIndex((r) => /Automatically compacted/.test(r));
    assert.ok(autoAt > 0, `automatic compaction happened after the first turns: ${replies.map((r) => r.slice(0, 60)).join(' | ')}`);
    assert.match(replies[autoAt]!, /saved \d+%/);
    assert.ok(hasSummary(lastRequest(vscode)), 'the request after automatic compaction carries the summary');
    await vscode.screenshot('sessions-auto-compacted');

    const next = await sendChat(page, '@compactor a short follow-up');
    assert.doesNotMatch(next, /compacted/i, 'no second compaction on the next turn');
    assert.match(next, /Echo: a short follow-up/);
  });
});
