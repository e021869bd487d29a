// Drives the VS Code 1.139 workbench served by code-server in Debian's Chromium
// through playwright-core. Selectors here were checked against code-server 4.139.1;
// when VS Code changes its DOM, this is the one file to fix.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT, ensureBrowserLayer } from './codeServer';

export const RESULTS_DIR = join(REPO_ROOT, 'test-results');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Cold start of the workbench and extension host on a busy 2-core machine. */
const WORKBENCH_TIMEOUT_MS = 60_000;
const RESPONSE_TIMEOUT_MS = 60_000;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureBrowserLayer().chromium, args: CHROMIUM_ARGS });
}

/** Opens the workbench at `url` and waits until the window and its status bar are there. */
export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
  await page.locator('.statusbar').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
  // The explorer shows the folder once the remote file system is connected.
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
  return page;
}

/** How long a command may take to be listed: contributions register while the workbench starts. */
const COMMAND_LISTED_TIMEOUT_MS = 45_000;

/**
 * Runs a command the way a person does: F1, type its title, Enter on the exact entry.
 * Right after the window opens, the palette may not list an extension's commands
 * yet ("No matching commands"): it is closed and opened again, as a person would.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // The row's own text may run on into "recently used" or a keybinding, so the
  // label element is what must equal the title.
  const exact = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) })
    .first();
  const deadline = Date.now() + COMMAND_LISTED_TIMEOUT_MS;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.waitFor();
    await input.fill(`>${title}`);
    // Typing is filtered asynchronously: wait for the exact title, then pick it
    // rather than whatever is highlighted.
    try {
      await exact.waitFor({ timeout: Math.min(10_000, Math.max(1, deadline - Date.now())) });
      break;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
  }
  await exact.click();
  // Done when the palette closed, or when the command opened a quick pick of its
  // own (e.g. "Output: Show Output Channels..."): the `>` prefix is gone either way.
  // (A string: this tsconfig has no DOM lib.)
  await page.waitForFunction(`(() => {
    const widget = document.querySelector('.quick-input-widget');
    const box = widget && widget.querySelector('input');
    return !widget || widget.style.display === 'none' || !box || !box.value.startsWith('>');
  })()`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The Chat view's input part (the one in the auxiliary bar / panel, not an editor). */
export function chatInput(page: Page): Locator {
  return page.locator('.interactive-input-part').first();
}

/**
 * Opens the Chat view in Ask mode. Ask mode is where extension participants
 * such as `@compactor` are offered; Agent mode (the 1.139 default) routes to tools.
 */
export async function openChat(page: Page): Promise<void> {
  await runCommand(page, 'Chat: Open Chat (Ask)');
  await chatInput(page).waitFor();
  await chatInput(page).locator('.chat-mode-picker-item', { hasText: 'Ask' }).waitFor();
}

/** The label of the chat model picker ("Models" while no model is resolved). */
export async function selectedModelLabel(page: Page): Promise<string> {
  return (await chatInput(page).locator('.model-picker-item .chat-input-picker-label').first().innerText()).trim();
}

/**
 * Makes sure `name` is the model of the chat. The fixture model is the only
 * one without Copilot and is picked automatically once VS Code has resolved it;
 * this waits for that, and picks it from the picker when another is selected.
 */
export async function selectChatModel(page: Page, name = 'Compactor Test Model'): Promise<void> {
  const label = chatInput(page).locator('.model-picker-item .chat-input-picker-label').first();
  try {
    await label.filter({ hasText: name }).waitFor({ timeout: 30_000 });
    return;
  } catch {
    // Not selected on its own: choose it in the picker.
  }
  await chatInput(page).locator('.model-picker-item .model-picker-name').first().click();
  const row = page.locator('.context-view .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  await label.filter({ hasText: name }).waitFor({ timeout: 10_000 });
}

/** Prompts up to this long are typed key by key. */
const TYPE_ALL_MAX_CHARS = 200;

/** The chat input's text as the editor shows it, whitespace collapsed (only the lines in view). */
async function chatInputText(page: Page): Promise<string> {
  const lines = chatInput(page).locator('.monaco-editor .view-lines').first();
  return (await lines.innerText()).replace(/\s+/g, ' ').trim();
}

/** How long typed text may take to show in the chat input before it counts as lost. */
const TYPED_TEXT_SHOWN_TIMEOUT_MS = 3_000;

/** Polls the chat input until its text ends with `ending` or the time is up; returns the last text seen. */
async function waitForChatInputEnding(page: Page, ending: string): Promise<string> {
  const deadline = Date.now() + TYPED_TEXT_SHOWN_TIMEOUT_MS;
  for (;;) {
    const shown = await chatInputText(page);
    if (shown.endsWith(ending) || Date.now() >= deadline) return shown;
    await page.waitForTimeout(100);
  }
}

/**
 * Puts the keyboard focus in the chat input. Notification toasts (a compaction's
 * progress and result) sit over the bottom of the Chat view, where the input is:
 * a click there can land on a toast, so the editor's own input element is focused
 * directly, and a click is only the fallback.
 */
async function focusChatInput(page: Page): Promise<void> {
  const editor = chatInput(page).locator('.monaco-editor').first();
  const target = editor.locator('.native-edit-context, textarea.inputarea').first();
  if ((await target.count()) > 0) await target.focus();
  else await editor.click({ force: true });
}

/**
 * Focuses the chat input, clears it and types `text` (no Enter). Clearing matters:
 * after a request to a sticky participant the input already holds `@compactor `,
 * and typing `@compactor x` after it would send the prompt `@compactor x`.
 * Throws when the text does not arrive after three tries.
 */
export async function typeInChat(page: Page, text: string): Promise<void> {
  const wanted = text.replace(/\s+/g, ' ').trim();
  for (let attempt = 1; ; attempt++) {
    await focusChatInput(page);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Backspace');
    // Short prompts are typed key by key, as a person does (suggestions open on `@`).
    // Long ones: the participant and command by key (so the input recognises them),
    // then the rest inserted at once: typing long prompts key by key takes minutes.
    const head = text.length <= TYPE_ALL_MAX_CHARS ? text : (/^((?:[@/]\S+\s+){0,2})/.exec(text)?.[1] ?? '');
    await page.keyboard.type(head);
    if (text.length > head.length) await page.keyboard.insertText(text.slice(head.length));
    // Focus can move (a notification, the palette closing) and swallow the text: check it
    // arrived. The editor renders only the lines in view, which end at the cursor: check the end.
    // The editor renders a keystroke a frame or more after it is typed (later on a loaded
    // machine, or while a compaction runs): wait a moment for it before typing again.
    const shown = await waitForChatInputEnding(page, wanted.slice(-40));
    if (shown.endsWith(wanted.slice(-40))) return;
    if (attempt >= 3) throw new Error(`typing into the chat input failed 3 times: it shows ${JSON.stringify(shown.slice(-80))}`);
  }
}

/** How long the chat input may take to offer the extension's participant after the window opens. */
const PARTICIPANT_LISTED_TIMEOUT_MS = 45_000;

/**
 * The suggestions the chat input shows for `@` (participant names, e.g. `@compactor`).
 * Right after the window opens the participant may not be registered yet, and the
 * list opened on `@` does not refresh by itself: `@` is typed again until `expected`
 * is offered or the time is up (then the last list is returned, for the caller's assertion).
 */
export async function participantSuggestions(page: Page, expected = '@compactor'): Promise<string[]> {
  const rows = page.locator('.suggest-widget .monaco-list-row');
  const deadline = Date.now() + PARTICIPANT_LISTED_TIMEOUT_MS;
  let names: string[] = [];
  for (;;) {
    await typeInChat(page, '@');
    try {
      await rows.first().waitFor({ timeout: 5_000 });
      names = (await rows.allInnerTexts()).map((t) => t.split('\n')[0]?.trim() ?? '');
    } catch {
      names = [];
    }
    await page.keyboard.press('Escape');
    await page.keyboard.press('Backspace');
    if (names.includes(expected) || Date.now() >= deadline) return names;
  }
}

/** The response item of the newest request in the Chat view. */
export function lastResponse(page: Page): Locator {
  return page.locator('.interactive-item-container.interactive-response').last();
}

/**
 * Sends `text` (e.g. `@compactor hello`) from the chat input and waits until the
 * response is complete. Returns the response's visible text.
 */
export async function sendChat(page: Page, text: string, options: { timeoutMs?: number } = {}): Promise<string> {
  // The chat list renders only the rows in view; rows carry their index in the
  // conversation, so "a newer response" is one with a larger index.
  const before = await newestChatRowIndex(page);
  const newResponse = `[...document.querySelectorAll('.monaco-list-row')].some((r) => Number(r.getAttribute('data-index')) > ${before} && r.querySelector('.interactive-item-container.interactive-response') !== null)`;
  await submitChat(page, text, newResponse);
  const timeout = options.timeoutMs ?? RESPONSE_TIMEOUT_MS;
  await page.waitForFunction(newResponse, undefined, { timeout });
  return waitForResponse(page, options);
}

/**
 * Types `text` and presses Enter until the chat takes it: the input empties (or
 * `sentWhen` holds). An Enter can be swallowed, e.g. by a suggestion list that
 * opens late on a loaded machine, in which case the prompt is typed again.
 */
export async function submitChat(page: Page, text: string, sentWhen = 'false'): Promise<void> {
  const inputLines = `document.querySelector('.interactive-input-part .monaco-editor .view-lines')`;
  // The sticky participant stays in the input after sending (`@compactor `): "taken"
  // means the prompt's own text (after the participant) has left the input.
  const own = text.replace(/^@\S+\s+/, '').replace(/\s+/g, ' ').trim() || text;
  const rest = JSON.stringify(own.slice(-40));
  const submitted = `(${sentWhen}) || !(${inputLines}?.innerText ?? '').replace(/\\s+/g, ' ').includes(${rest})`;
  for (let attempt = 1; ; attempt++) {
    await typeInChat(page, text);
    await page.keyboard.press('Escape'); // close the participant/command suggestions
    await page.keyboard.press('Enter');
    try {
      await page.waitForFunction(submitted, undefined, { timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw new Error(`the chat did not take the prompt after 3 tries (Enter): ${String(err)}`);
    }
  }
}

/** The largest conversation index among the chat rows in the page (-1 when none). */
async function newestChatRowIndex(page: Page): Promise<number> {
  return page.evaluate<number>(
    `Math.max(-1, ...[...document.querySelectorAll('.monaco-list-row')].filter((r) => r.querySelector('.interactive-item-container')).map((r) => Number(r.getAttribute('data-index'))))`,
  );
}

/** Waits until the newest response is complete (its footer shows the completion time). */
export async function waitForResponse(page: Page, options: { timeoutMs?: number } = {}): Promise<string> {
  const response = lastResponse(page);
  const timeout = options.timeoutMs ?? RESPONSE_TIMEOUT_MS;
  await response.locator('.chat-footer-details .chat-response-completed-at').waitFor({ timeout });
  // The input's Cancel button turns back into Send a moment later; a request sent
  // before that would be queued behind the finished one.
  await chatInput(page).locator('.chat-execute-toolbar .codicon-stop-circle').waitFor({ state: 'detached', timeout });
  return (await response.locator('.value').first().innerText()).trim();
}

/** Sends `text` without waiting for the response (for cancellation and progress tests). */
export async function startChat(page: Page, text: string): Promise<void> {
  await submitChat(page, text);
  await chatInput(page).locator('.chat-execute-toolbar .codicon-stop-circle').waitFor({ timeout: RESPONSE_TIMEOUT_MS });
}

/** Clicks the input's Cancel button (shown while a request is in progress). */
export async function cancelChat(page: Page): Promise<void> {
  await chatInput(page).locator('.chat-execute-toolbar .codicon-stop-circle').click();
  await chatInput(page).locator('.chat-execute-toolbar .codicon-stop-circle').waitFor({ state: 'detached', timeout: RESPONSE_TIMEOUT_MS });
}

/** The whole status bar's text, items separated by newlines. */
export async function statusBarText(page: Page): Promise<string> {
  return (await page.locator('.statusbar').innerText()).trim();
}

/** Saves a full-window screenshot to test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Approves tool calls as VS Code asks, the way a person who trusts the run
 * would, until `stop()`: VS Code's one-time opt-in dialog for global
 * auto-approve (**Enable**), or a tool confirmation in the chat (**Allow in
 * this Session**, else **Allow**). `approvals` lists what was clicked.
 */
export function approveToolsAsAsked(page: Page): { stop(): void; approvals: string[] } {
  const approvals: string[] = [];
  let stopped = false;
  const optIn = page.locator('.monaco-dialog-box .monaco-button').filter({ hasText: /^Enable$/ }).first();
  const confirmation = page.locator('.chat-tool-confirmation-carousel:visible, .interactive-response .chat-confirmation-widget2:visible').first();
  const allow = confirmation.locator('.monaco-button:visible').filter({ hasText: /^Allow/ }).first();
  void (async () => {
    while (!stopped && !page.isClosed()) {
      try {
        if (await optIn.isVisible()) {
          await optIn.click({ timeout: 2_000 });
          approvals.push('auto-approve opt-in: Enable');
        } else if (await allow.isVisible()) {
          const label = (await allow.innerText()).trim();
          await allow.click({ timeout: 2_000 });
          approvals.push(`tool confirmation: ${label}`);
        }
      } catch {
        // The dialog or confirmation went away between the look and the click: look again.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return { stop: () => void (stopped = true), approvals };
}

/** About `words` × 1.3 tokens of distinct prose tagged with `tag` (parsert10 …), so a turn has weight and its words can be found again. */
export function bulk(tag: string, words: number): string {
  const vocab = ['parser', 'timezone', 'offset', 'ledger', 'invoice', 'cursor', 'buffer', 'schema', 'render', 'token'];
  return Array.from({ length: words }, (_, i) => `${vocab[i % vocab.length]}${tag}${i % 37}`).join(' ');
}
