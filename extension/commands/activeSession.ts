import * as vscode from 'vscode';
import type { CompactorContext } from '../compactorContext';

export const NO_SESSION_MESSAGE = 'There is no active Context Compactor session. Chat with @compactor in the Chat view, or pick one with "Compactor: Open Session…".';

/** How long a command waits for the sessions of the last window to be restored. */
const RESTORE_WAIT_MS = 30_000;

/**
 * The active session's id, or undefined after telling the user there is none.
 * Waits (bounded) for the start-up restore first: right after a window opens, the
 * session worked in last is not active yet.
 */
export async function activeSessionOrSay(ctx: CompactorContext): Promise<string | undefined> {
  if (!ctx.sessions.activeSessionId) {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, RESTORE_WAIT_MS)));
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restoring Context Compactor sessions…' }, () =>
      Promise.race([ctx.sessionsRestored, waited]),
    );
    clearTimeout(timer);
  }
  const id = ctx.sessions.activeSessionId;
  if (!id) void vscode.window.showInformationMessage(NO_SESSION_MESSAGE);
  return id;
}

/** Lets the user pick a session (the active one first); undefined when there is none or they cancel. */
export async function pickSession(ctx: CompactorContext, placeHolder: string): Promise<string | undefined> {
  const { sessions, warnings } = await ctx.sessions.store.list();
  for (const w of warnings) ctx.output.warn(typeof w === 'string' ? w : JSON.stringify(w));
  if (sessions.length === 0) {
    void vscode.window.showInformationMessage('There are no Context Compactor sessions yet. Chat with @compactor in the Chat view to start one.');
    return undefined;
  }
  const active = ctx.sessions.activeSessionId;
  const items = sessions
    .slice()
    .sort((a, b) => (a.id === active ? -1 : b.id === active ? 1 : 0))
    .map((s) => ({
      label: s.title,
      description: `${s.messageCount} messages · ${(s.tokens ?? 0).toLocaleString('en-US')} tokens${s.id === active ? ' · active' : ''}`,
      detail: `Updated ${new Date(s.updatedAt).toLocaleString()}`,
      id: s.id,
    }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return picked?.id;
}
