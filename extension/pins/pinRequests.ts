import { findMessageByQuote, lastReply, pinsOf, previewOf } from '../../src/compaction/pinList';
import type { SessionLog } from '../../src/compaction/records';
import type { SessionService } from '../sessions/sessionService';

/** What `/pin` and `/unpin` did, as one line for the chat. */
export type PinOutcome = { ok: true; messageId: string; text: string } | { ok: false; text: string };

/** `"exact text"` (straight or curly quotes) → exact text; anything else as typed, trimmed. */
export function quotedPassage(prompt: string): string {
  const t = prompt.trim();
  const m = /^["“'‘](.*)["”'’]$/s.exec(t);
  return (m?.[1] ?? t).trim();
}

function target(log: SessionLog, passage: string, pinned: boolean): { id: string } | { error: string } {
  if (passage) {
    const m = findMessageByQuote(log, passage);
    return m ? { id: m.id } : { error: `No message of this session contains "${passage}".` };
  }
  if (pinned) {
    const m = lastReply(log);
    return m ? { id: m.id } : { error: 'There is no reply to pin yet.' };
  }
  // `/unpin` alone: the newest pin (the last reply may never have been pinned).
  const pins = pinsOf(log);
  const newest = [...pins].sort((a, b) => a.pinnedAt.localeCompare(b.pinnedAt)).at(-1);
  return newest ? { id: newest.messageId } : { error: 'Nothing is pinned in this session.' };
}

/**
 * `/pin` (the last reply), `/pin "passage"` (the newest message containing
 * it; a passage pins its whole message), `/unpin` (the newest pin),
 * `/unpin "passage"`.
 */
export async function pinFromPrompt(sessions: SessionService, sessionId: string, prompt: string, pinned: boolean): Promise<PinOutcome> {
  const log = await sessions.load(sessionId);
  const passage = quotedPassage(prompt);
  const found = target(log, passage, pinned);
  if ('error' in found) return { ok: false, text: found.error };
  const message = log.records.find((r) => r.type === 'message' && r.id === found.id);
  const preview = message?.type === 'message' ? previewOf(message) : found.id;
  const already = pinsOf(log).some((p) => p.messageId === found.id);
  if (already === pinned) return { ok: true, messageId: found.id, text: `Already ${pinned ? 'pinned' : 'not pinned'}: “${preview}”.` };
  await sessions.setPin(sessionId, found.id, pinned, { origin: 'chat', ...(passage ? { quote: passage } : {}) });
  const tokens = message?.type === 'message' ? message.tokens.toLocaleString('en-US') : '?';
  return {
    ok: true,
    messageId: found.id,
    text: pinned
      ? `Pinned “${preview}” (${tokens} tokens): compaction keeps it verbatim until you /unpin it.`
      : `Unpinned “${preview}”: the next compaction may summarize it.`,
  };
}
