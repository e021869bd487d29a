// A Claude Code session JSONL opened in code-server gets the compaction
// server's transcript features: token counts as inlay hints at the end of
// message lines (at their start: the lines run far past the window), and an
// outline of the turns (Go to Symbol in Editor).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { syntheticTranscripts } from '../fixtures/transcripts';
import { startVsCode } from './harness/vscode';

const FILE = 'cc-session.jsonl';

/**
 * Opens a workspace file the way a person does: a click on it in the Explorer
 * (Quick Open's file search can take longer than a minute on a loaded machine
 * while ripgrep indexes).
 */
async function openFromExplorer(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Escape');
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 60_000 });
  await row.click();
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
}

test('a Claude Code transcript shows token counts and an outline of its turns', { timeout: 240_000 }, async (t) => {
  // The project's synthetic Claude Code session (a slash command, two requests, 26 tool rounds).
  const transcript = syntheticTranscripts().find((s) => s.format === 'claude-code')!.text;
  const vscode = await startVsCode({ workspaceFiles: { [FILE]: transcript } });
  t.after(() => vscode.stop());
  const { page } = vscode;
  try {
    await openFromExplorer(page, FILE);

    // Inlay hints: `~1,234 tok` on each message line in view (the server starts when the file opens).
    // Monaco draws a hint either as text or as a `::before`/`::after` content of a span: read both.
    const readHints = `(() => {
      const lines = document.querySelector('.editor-instance .monaco-editor .view-lines');
      if (!lines) return [];
      const out = [];
      for (const span of lines.querySelectorAll('span')) {
        const texts = [span.children.length === 0 ? span.textContent : '', getComputedStyle(span, '::before').content, getComputedStyle(span, '::after').content];
        for (const t of texts) {
          const m = /~[\\d,]+\\s*tok/.exec((t || '').replace(/\\u00a0/g, ' '));
          if (m) out.push(m[0]);
        }
      }
      return out;
    })()`;
    await page.waitForFunction(`${readHints}.length >= 2`, undefined, { timeout: 60_000 });
    const hints = (await page.evaluate(readHints)) as string[];
    assert.ok(hints.length >= 10, `the message lines in view show their tokens; got ${JSON.stringify(hints)}`);
    await vscode.screenshot('transcript-inlay-hints');

    // Outline: Go to Symbol in Editor (Ctrl+P, '@') lists the session and its turns.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('@');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: /user: / }).first().waitFor({ timeout: 30_000 });
    const names = (await rows.locator('.label-name').allInnerTexts()).map((n) => n.trim());
    assert.ok(names.some((n) => n.includes('Time-zone bug in dueDate')), `the session title heads the outline; got ${names.slice(0, 5).join(' | ')}`);
    assert.ok(names.some((n) => /^user: /.test(n)) && names.some((n) => /^assistant: /.test(n)), `turns are listed; got ${names.slice(0, 8).join(' | ')}`);
    await vscode.screenshot('transcript-outline');
    await page.keyboard.press('Escape');

    assert.match(vscode.outputChannelLog('Context Compactor Engine'), /compaction server running/);
  } catch (err) {
    await vscode.screenshot('transcript-failure').catch(() => undefined);
    t.diagnostic(`engine log:\n${vscode.outputChannelLog('Context Compactor Engine').slice(-3000)}`);
    throw err;
  }
});
