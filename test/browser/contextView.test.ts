// The status-bar context gauge and the Context webview, the way a person uses
// them: chat with @compactor until the gauge turns yellow then red, click it to
// open the Context view, compare numbers, compact from the command palette,
// see the history entry and the chart's drop, revert from the view, Compact Now
// with instructions, and switch sessions with the view's picker. Screenshots
// in a light and a dark theme go to test-results/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { openChat, runCommand, selectChatModel, submitChat, waitForResponse } from './harness/browser';
import { startVsCode, type VsCode } from './harness/vscode';

/**
 * A 2,000-token window (the session's effective window is what the extension
 * derives from it). Each turn below is a short request and a ≈120-token review, so the
 * warn (70%) and auto-compact (85%) levels are crossed within a handful of turns. Automatic compaction is off, so the gauge
 * reaches the auto-compact level and the test compacts by hand.
 */
/**
 * The answer to every turn: a long review, so the session grows the way real ones do (the replies, not the
 * requests, carry the bulk; a summary quotes every request, so a session made of long requests barely shrinks).
 */
const REVIEW =
  'Reviewed turn {n}. The tokenizer handles nested brackets with a depth counter, ' +
  'trailing commas by a lenient rule in the array production and unicode identifiers through the ID_Start and ID_Continue classes. ' +
  'Edge cases to test next: an escaped backslash before a quote, a comma before a closing brace inside a template and surrogate pairs in ' +
  'identifiers. The lexer in the formatter package disagrees about whitespace ' +
  'inside string templates: it keeps it, the parser trims it; the parser should own the shared grammar.';
const MODEL = { maxInputTokens: 2000, maxOutputTokens: 500, replies: [{ match: 'Turn ', scope: 'last' as const, reply: REVIEW }] };
const SETTINGS = { 'compactor.autoCompact.enabled': false, 'workbench.colorTheme': 'Default Dark Modern', 'compactor.compaction.preview': 'never' };
const MAX_TURNS = 12;

function request(n: number): string {
  return `Turn ${n}: please review the parser module and its tokenizer, and compare it with the lexer in the formatter package.`;
}

/**
 * Sends a chat request and waits for its answer. (Not the harness's sendChat:
 * that counts response elements, and the Chat view's list is virtualised, so
 * old responses leave the DOM in a long session.) Done when the test model
 * has answered one more request and the Chat view shows the response complete.
 */
async function chat(vscode: VsCode, text: string): Promise<void> {
  const before = vscode.requestsOfModel().filter((r) => r.outcome).length;
  await submitChat(vscode.page, text);
  const deadline = Date.now() + 60_000;
  while (vscode.requestsOfModel().filter((r) => r.outcome).length <= before) {
    if (Date.now() > deadline) throw new Error(`the model did not answer: ${text.slice(0, 40)}`);
    await vscode.page.waitForTimeout(200);
  }
  await waitForResponse(vscode.page);
}

function gauge(page: Page): Locator {
  return page.locator('.statusbar-item').filter({ hasText: /\d+% · [\d.]+K?\/[\d.]+K?/ }).first();
}

async function gaugeState(page: Page): Promise<{ text: string; colour: 'none' | 'warning' | 'error' }> {
  const item = gauge(page);
  const text = (await item.innerText()).trim();
  const cls = (await item.getAttribute('class')) ?? '';
  return { text, colour: cls.includes('error-kind') ? 'error' : cls.includes('warning-kind') ? 'warning' : 'none' };
}

/** The headline of the gauge's text ("62% · 81K/131K"), without the icon. */
function headlineOf(text: string): string {
  return /(\d+% · \S+)/.exec(text)?.[1] ?? text;
}

/** The Context view's document (the webview's inner frame). */
function contextView(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

async function waitForGauge(page: Page, predicate: (s: { text: string; colour: string }) => boolean, what: string): Promise<{ text: string; colour: string }> {
  const deadline = Date.now() + 15_000;
  let last = { text: '', colour: '' };
  while (Date.now() < deadline) {
    if ((await gauge(page).count()) > 0) {
      last = await gaugeState(page);
      if (predicate(last)) return last;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`gauge never showed ${what}; last: ${JSON.stringify(last)}`);
}

/** F1, the command's title, Enter on the first match (the palette's own highlighting). */
async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const box = page.locator('.quick-input-widget input');
  await box.waitFor();
  await box.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

test('the gauge follows the session across the levels; the Context view shows the same numbers, the compaction, its revert, Compact Now and the session picker', { timeout: 420_000 }, async (t) => {
  const vscode = await startVsCode({ model: MODEL, settings: SETTINGS });
  t.after(() => vscode.stop());
  const { page } = vscode;
  try {
    assert.equal(await gauge(page).count(), 0, 'no gauge before there is a session');
    await openChat(page);
    await selectChatModel(page);

    // Grow the session until the gauge reaches the auto-compact level.
    const seen: { text: string; colour: string }[] = [];
    for (let n = 1; n <= MAX_TURNS; n++) {
      await chat(vscode, `@compactor ${request(n)}`);
      const previous = seen.at(-1)?.text;
      const state = await waitForGauge(page, (s) => s.text !== previous, `a new value after turn ${n}`);
      seen.push(state);
      if (state.colour === 'warning' && !seen.slice(0, -1).some((s) => s.colour === 'warning')) await vscode.screenshot('context-gauge-warning-dark');
      if (state.colour === 'error') break;
    }
    const colours = seen.map((s) => s.colour);
    t.diagnostic(`gauge per turn: ${seen.map((s) => `${headlineOf(s.text)} ${s.colour}`).join(' | ')}`);
    assert.equal(colours[0], 'none', 'a fresh session starts below the warn level');
    assert.ok(colours.includes('warning'), 'the warn level turns the gauge yellow');
    assert.equal(colours.at(-1), 'error', 'the auto-compact level turns it red');
    assert.ok(colours.indexOf('warning') < colours.indexOf('error'), 'yellow comes before red');
    const percents = seen.map((s) => Number(/(\d+)%/.exec(s.text)?.[1]));
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'the percent grows with every turn');
    const ariaLabel = await gauge(page).locator('[aria-label], a').first().getAttribute('aria-label').catch(() => null);
    t.diagnostic(`gauge aria-label: ${ariaLabel ?? '(none found)'}`);

    // Clicking the gauge opens the Context view; its meter shows the gauge's numbers.
    const before = await gaugeState(page);
    await gauge(page).click();
    const view = contextView(page);
    const headline = view.locator('[data-testid="meter-headline"]');
    await headline.waitFor({ timeout: 20_000 });
    assert.equal((await headline.innerText()).trim(), headlineOf(before.text), 'the meter and the gauge agree');
    assert.match(await view.locator('[data-testid="meter-level"]').innerText(), /Auto-compact level/);
    const segments = view.locator('.meter-bar .segment');
    assert.ok((await segments.count()) >= 4, 'system, user, assistant, free and reserve segments');
    // Exact numbers on focus: the detail line names the focused segment.
    await segments.first().focus();
    assert.match(await view.locator('[data-testid="meter-detail"]').innerText(), /^[\w &]+: [\d,]+ tokens/);
    const points = await view.locator('.chart-svg .context-line').getAttribute('d');
    assert.ok(points && points.split('L').length >= seen.length * 2 - 1, 'the chart has a point per message');
    await vscode.screenshot('context-view-dark');

    // Compact from the command palette (Enter on the instructions box: no instructions).
    await palette(page, 'Compactor: Compact Conversation');
    // The instructions box: Enter without typing compacts without instructions.
    await page.locator('.quick-input-widget', { hasText: 'Optional: what the summary should focus on' }).waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    const entry = view.locator('[data-testid="history-entry"]').first();
    await entry.waitFor({ timeout: 60_000 });
    assert.match(await entry.innerText(), /manual/);
    const drop = view.locator('.chart-svg .event-compaction');
    await drop.first().waitFor();
    const beforeTokens = Number(await drop.first().getAttribute('data-before'));
    const afterTokens = Number(await drop.first().getAttribute('data-after'));
    assert.ok(afterTokens < beforeTokens, `the chart shows the drop (${beforeTokens} → ${afterTokens})`);
    assert.match((await drop.first().getAttribute('aria-label')) ?? '', /^Manual compaction: /);
    const compacted = await waitForGauge(page, (s) => s.text !== before.text, 'the compacted size');
    assert.equal(compacted.colour, 'none', 'after compaction the gauge is back below the warn level');
    assert.equal((await headline.innerText()).trim(), headlineOf(compacted.text), 'meter and gauge agree after compaction');
    assert.match(await view.locator('[data-testid="totals"]').innerText(), /This session: 1 compaction · [\d,]+ tokens saved \(manual 1\)/);

    // Expand the entry: details and the summary as text; screenshot in dark, then light.
    await entry.locator('summary').click();
    await view.locator('.summary-text').first().waitFor();
    // The summary's fidelity to the log's ledger: in the entry's facts and in the compaction notice.
    assert.match(await entry.innerText(), /Fidelity\s+\d+% of tracked facts kept/);
    const notice = page.locator('.notification-list-item-message', { hasText: /Compacted: / }).first();
    assert.match(await notice.innerText(), /fidelity \d+%/);
    await vscode.screenshot('context-view-compacted-dark');
    await palette(page, 'Preferences: Toggle between Light/Dark Themes');
    await page.locator('.monaco-workbench.vs').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    await vscode.screenshot('context-view-compacted-light');

    // Revert from the view: the context is back to its size before the compaction.
    await entry.locator('[data-testid="revert"]').click();
    await view.locator('.entry.reverted').first().waitFor({ timeout: 20_000 });
    const reverted = await waitForGauge(page, (s) => s.text !== compacted.text, 'the reverted size');
    assert.equal(headlineOf(reverted.text), headlineOf(before.text), 'revert restores the size before the compaction');
    assert.equal(reverted.colour, 'error');
    assert.equal((await headline.innerText()).trim(), headlineOf(reverted.text));
    assert.equal(await view.locator('.chart-svg .event-revert').count(), 1, 'the chart marks the revert');
    await headline.scrollIntoViewIfNeeded();
    await vscode.screenshot('context-view-reverted-light');

    // Compact Now from the view, with instructions: a second entry, and the summary
    // request to the session's model carried the instructions.
    await view.locator('[data-testid="instructions"]').fill('VIEW-INSTRUCTION keep the lexer names');
    await view.locator('[data-testid="compact-now"]').click();
    await view.locator('[data-testid="history-entry"]').nth(1).waitFor({ timeout: 60_000 });
    const fromView = await waitForGauge(page, (s) => s.text !== reverted.text, 'the size after Compact Now');
    assert.equal(fromView.colour, 'none', 'Compact Now brought the context below the warn level');
    assert.equal((await headline.innerText()).trim(), headlineOf(fromView.text));
    // Totals count what is applied: the reverted compaction is in the history, not in the savings.
    assert.match(await view.locator('[data-testid="totals"]').innerText(), /This session: 1 compaction · [\d,]+ tokens saved \(manual 1\)/);
    assert.ok(
      vscode.requestsOfModel().some((r) => r.messages.some((m) => m.text.includes('VIEW-INSTRUCTION keep the lexer names'))),
      "the view's instructions reached the summary request",
    );

    // The session picker: a new session becomes active; picking the first one in the
    // view makes it active again, in the view and in the gauge.
    const picker = view.locator('[data-testid="session-picker"]');
    const firstSession = await picker.inputValue();
    await runCommand(page, 'Compactor: New Session');
    await chat(vscode, '@compactor a second session');
    await waitForGauge(page, (s) => headlineOf(s.text) !== headlineOf(fromView.text), 'the second session');
    assert.equal(await picker.locator('option').count(), 2, 'the picker lists both sessions');
    assert.notEqual(await picker.inputValue(), firstSession, 'the new session is the active one');
    await picker.selectOption(firstSession);
    const back = await waitForGauge(page, (s) => headlineOf(s.text) === headlineOf(fromView.text), 'the first session again');
    assert.equal((await headline.innerText()).trim(), headlineOf(back.text), 'the meter follows the picker');
    assert.equal(await view.locator('[data-testid="history-entry"]').count(), 2, "the first session's history is shown again");
  } catch (err) {
    await vscode.screenshot('context-view-failure').catch(() => undefined);
    throw err;
  }
});
