/**
 * The host's side of the webview protocol: every message from the webview is
 * validated, then dispatched by a switch with an exhaustiveness check. A
 * malformed message is rejected and reported through `reject` (the provider
 * logs it to the output channel); the view keeps working. No `vscode` here.
 */
import { WebviewToHostSchema, type WebviewToHost } from '../../webview/protocol';

export interface WebviewActions {
  ready(): void | Promise<void>;
  compact(instructions: string): void | Promise<void>;
  revert(sessionId: string, compactionId: string): void | Promise<void>;
  selectSession(sessionId: string): void | Promise<void>;
  openSummary(sessionId: string, compactionId: string): void | Promise<void>;
  unpin(sessionId: string, messageId: string): void | Promise<void>;
  openBeforeAfter(sessionId: string, compactionId: string): void | Promise<void>;
  /** The webview rejected a message the host sent. */
  webviewRejected(error: string): void | Promise<void>;
  /** The host rejected a message from the webview. */
  reject(error: string): void;
}

export type ParsedWebviewMessage = { ok: true; message: WebviewToHost } | { ok: false; error: string };

/** Validates one message from the webview; the error names the fields at fault. */
export function parseWebviewMessage(raw: unknown): ParsedWebviewMessage {
  const parsed = WebviewToHostSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type).slice(0, 40) : typeof raw;
  return { ok: false, error: `malformed message from the Context view (${type}): ${where}` };
}

/** Validates and runs one message. Returns false when it was rejected. */
export async function dispatchWebviewMessage(raw: unknown, actions: WebviewActions): Promise<boolean> {
  const parsed = parseWebviewMessage(raw);
  if (!parsed.ok) {
    actions.reject(parsed.error);
    return false;
  }
  const message = parsed.message;
  switch (message.type) {
    case 'ready':
      await actions.ready();
      return true;
    case 'invalidMessage':
      await actions.webviewRejected(message.error);
      return true;
    case 'compact':
      await actions.compact(message.instructions);
      return true;
    case 'revert':
      await actions.revert(message.sessionId, message.compactionId);
      return true;
    case 'selectSession':
      await actions.selectSession(message.sessionId);
      return true;
    case 'openSummary':
      await actions.openSummary(message.sessionId, message.compactionId);
      return true;
    case 'unpin':
      await actions.unpin(message.sessionId, message.messageId);
      return true;
    case 'openBeforeAfter':
      await actions.openBeforeAfter(message.sessionId, message.compactionId);
      return true;
    default: {
      const unreachable: never = message;
      throw new Error(`unhandled webview message ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Initial state embedded in the HTML as a JSON data block: `<`, `>`, `&` and
 * the JS line separators are escaped, so no text (a session title, a summary)
 * can close the block or start markup.
 */
export function escapeJsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
