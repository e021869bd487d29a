/**
 * Before/after-compaction hooks for other extensions. No vscode import: the
 * aggregation is plain logic, unit-tested in Node.
 *
 * Invariants: a listener that throws, rejects or takes longer than
 * HOOK_TIMEOUT_MS is skipped (and reported), never fails the compaction;
 * attachments are bounded; listeners run in registration order.
 */
import type { CompactionSource } from '../../src/compaction/records';
import type { CompactionReport } from '../../src/compaction/types';
import { errorMessage } from '../../src/compaction/errors';

/** How long one before-compaction listener may take. */
export const HOOK_TIMEOUT_MS = 2_000;
/** Bounds on what hooks may add, so a hook cannot flood the summary. */
export const HOOK_MAX_INSTRUCTION_CHARS = 4_000;
export const HOOK_MAX_ATTACHMENTS = 5;
export const HOOK_MAX_ATTACHMENT_CHARS = 20_000;
/** Pins one hook run may add (a hook pins what it knows matters, not the whole session). */
export const HOOK_MAX_PINS = 20;

export interface WillCompactEvent {
  readonly sessionId: string;
  readonly source: CompactionSource;
  /** Extra instructions for the summary (merged after the user's). */
  addInstructions(text: string): void;
  /** A file or note to re-attach after the summary. */
  addAttachment(attachment: { path: string; text: string }): void;
  /**
   * The summary in effect now (the one this compaction will update), if the
   * session was compacted before. The hook runs before the new summary is
   * written, so the proposed summary itself is not known yet: it arrives in
   * `onDidCompact` (`summary`).
   */
  readonly currentSummary?: string;
  /** Ids of the messages pinned now (kept verbatim through compaction). */
  readonly pinnedMessageIds: readonly string[];
  /**
   * Pins a message of the session before this compaction runs, so it stays
   * verbatim (a `pin` record, origin `api`, that the person can unpin).
   * Unknown ids are skipped and reported.
   */
  addPin(messageId: string): void;
}

export interface DidCompactEvent {
  readonly sessionId: string;
  readonly compactionId: string;
  readonly report: CompactionReport;
  /** The summary now in effect (empty when the compaction only masked). */
  readonly summary: string;
}

export type WillCompactListener = (event: WillCompactEvent) => void | Promise<void>;

export interface CollectedHooks {
  instructions: string[];
  attachments: Array<{ path: string; text: string }>;
  /** Message ids hooks asked to pin. */
  pins: string[];
  /** One line per listener that failed or timed out. */
  problems: string[];
}

/** Runs the before-compaction listeners and collects what they add. */
export async function collectHooks(
  listeners: readonly WillCompactListener[],
  base: { sessionId: string; source: WillCompactEvent['source']; currentSummary?: string; pinnedMessageIds?: readonly string[] },
  timeoutMs = HOOK_TIMEOUT_MS,
): Promise<CollectedHooks> {
  const out: CollectedHooks = { instructions: [], attachments: [], pins: [], problems: [] };
  for (const [i, listener] of listeners.entries()) {
    let open = true; // additions after a timeout are ignored
    const event: WillCompactEvent = {
      ...base,
      pinnedMessageIds: [...(base.pinnedMessageIds ?? [])],
      addPin: (messageId) => {
        if (!open || typeof messageId !== 'string' || !messageId || out.pins.length >= HOOK_MAX_PINS || out.pins.includes(messageId)) return;
        out.pins.push(messageId);
      },
      addInstructions: (text) => {
        if (open && typeof text === 'string' && text.trim()) out.instructions.push(text.trim().slice(0, HOOK_MAX_INSTRUCTION_CHARS));
      },
      addAttachment: (a) => {
        if (!open || out.attachments.length >= HOOK_MAX_ATTACHMENTS) return;
        if (typeof a?.path !== 'string' || typeof a.text !== 'string') return;
        out.attachments.push({ path: a.path, text: a.text.slice(0, HOOK_MAX_ATTACHMENT_CHARS) });
      },
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => listener(event)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`took longer than ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      out.problems.push(`before-compaction hook ${i + 1} skipped: ${errorMessage(err)}`);
    } finally {
      open = false;
      if (timer) clearTimeout(timer);
    }
  }
  return out;
}
