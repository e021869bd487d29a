/**
 * Which session a tool invocation belongs to. A tool gets only
 * `options.toolInvocationToken`, never a session id, and the token is not the
 * object the participant saw: `vscode.lm.invokeTool` sends it through the
 * main process and the tool receives a revived copy (VS Code 1.10x:
 * `{ sessionResource: Uri, workingDirectory }`, earlier `{ sessionId }`). What
 * survives the trip is the chat's identity, so the registry is keyed by it:
 * the participant records "this chat's requests use session S" at the start
 * of each request, and the recall tool looks its token up.
 *
 * Rules (in order):
 * 1. the token names a chat a @compactor request has run in → that chat's session;
 * 2. the token names another chat (e.g. Copilot's agent mode using #recall) → an error: not a @compactor chat;
 * 3. no usable token (a call from outside a chat request) → the one @compactor request running, if exactly one runs;
 * 4. otherwise an error saying recall works inside @compactor chats.
 * No `vscode` import: unit-tested in plain Node.
 */

/** Chats remembered (oldest forgotten first): a chat's mapping only matters while people use it. */
const MAX_CHATS = 200;

export type SessionLookup = { ok: true; sessionId: string } | { ok: false; error: string };

/** The chat a token names, as a string, or undefined when the token names none. */
export function chatKeyOf(token: unknown): string | undefined {
  if (token === null || typeof token !== 'object') return undefined;
  const t = token as { sessionResource?: unknown; sessionId?: unknown };
  if (t.sessionResource !== undefined && t.sessionResource !== null) {
    // A Uri: its canonical string; a plain copy of one (no toString of its own): its fields.
    const r = t.sessionResource as { toString(): string };
    const ownString = typeof r === 'object' && r.toString !== Object.prototype.toString;
    const s = typeof r === 'object' && !ownString ? JSON.stringify(r) : String(r);
    return `resource:${s}`;
  }
  if (typeof t.sessionId === 'string' && t.sessionId) return `session:${t.sessionId}`;
  return undefined;
}

export class RequestSessions {
  private readonly chats = new Map<string, string>();
  private readonly running = new Map<number, string>();
  private serial = 0;

  /** A @compactor request of `sessionId` starts; dispose when it ends. */
  begin(token: unknown, sessionId: string): { dispose(): void } {
    const key = chatKeyOf(token);
    if (key) {
      this.chats.delete(key);
      this.chats.set(key, sessionId);
      if (this.chats.size > MAX_CHATS) this.chats.delete(this.chats.keys().next().value!);
    }
    const id = ++this.serial;
    this.running.set(id, sessionId);
    return { dispose: () => void this.running.delete(id) };
  }

  sessionFor(token: unknown): SessionLookup {
    const key = chatKeyOf(token);
    if (key) {
      const sessionId = this.chats.get(key);
      if (sessionId) return { ok: true, sessionId };
      return { ok: false, error: 'compactor_recall recalls from @compactor sessions: this chat is not one. Ask @compactor instead.' };
    }
    const running = [...new Set(this.running.values())];
    if (running.length === 1) return { ok: true, sessionId: running[0]! };
    return {
      ok: false,
      error: running.length === 0
        ? 'compactor_recall works inside a @compactor chat request; none is running.'
        : 'compactor_recall could not tell which of the running @compactor requests this call belongs to (no chat token).',
    };
  }
}

/** The extension's registry (one per extension host): the participant writes it, the recall tool reads it. */
export const requestSessions = new RequestSessions();
