// Idle compaction in a real VS Code: a few long turns with @compactor, then the
// session sits idle past compactor.idleCompaction.afterMinutes (0.1 min = 6 s);
// it is compacted while idle (source `idle` in /history) and the next request
// the fixture model receives is smaller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bulk, sendChat } from './harness/browser';
import { withChat } from './harness/chat';
import { startVsCode } from './harness/vscode';

test('a session left idle is compacted while idle, and the next request is smaller', { timeout: 300_000 }, async (t) => {
  const vscode = await startVsCode({
    settings: { 'compactor.idleCompaction.afterMinutes': 0.1, 'compactor.idleCompaction.minTokens': 1000, 'compactor.levels.targetPercent': 10 },
    // Window 64,000 → effective 44,000: four long turns stay far below auto-compaction.
    model: { maxInputTokens: 24000, replies: [{ match: 'turn ', scope: 'last', reply: 'Noted turn {n}.' }] },
  });
  await withChat(t, vscode, 'idle', async (page) => {
    for (let i = 1; i <= 4; i++) await sendChat(page, `@compactor turn ${i}: ${bulk(`t${i}`, 250)}`);
    const before = vscode.requestsOfModel().at(-1);
    assert.ok(before);
    // Idle: 6 s, then the compaction itself; poll the history.
    let history = '';
    for (let i = 0; i < 12 && !/(^|\t|\|)\s*idle\s*(\t|\|)/m.test(history); i++) {
      await page.waitForTimeout(5_000);
      history = await sendChat(page, '@compactor /history');
    }
    assert.match(history, /(^|\t|\|)\s*idle\s*(\t|\|)/m, `the history lists an idle compaction: ${history.slice(0, 400)}`);
    await vscode.screenshot('idle-history');
    await sendChat(page, '@compactor after idle');
    const after = vscode.requestsOfModel().at(-1);
    assert.equal(after?.messages.at(-1)?.text, 'after idle');
    assert.ok(after.promptTokens < before.promptTokens * 0.75, `the next request is smaller: ${after.promptTokens} vs ${before.promptTokens} tokens`);
  });
});
