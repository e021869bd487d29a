/**
 * Before/after-compaction hooks for other extensions. No vscode import: the
 * aggregation is plain logic, unit-tested in Node.
 *
 * Invariants: a listener that throws, rejects or takes longer than
 * HOOK_TIMEOUT_MS is skipped (and reported), never fails the compaction;
 * attachments are bounded; listeners run in registration order.
 */
import type { CompactionReport } from '../../src/compaction/types';

/** How long one before-compaction listener may take. */
export const HOOK_TIMEOUT_MS = 2_000;
/** Bounds on what hooks may add, so a hook cannot flood the summary. */
export const HOOK_MAX_INSTRUCTION_CHARS = 4_000;
export const HOOK_MAX_ATTACHMENTS = 5;
export const HOOK_MAX_ATTACHMENT_CHARS = 20_000;

export interface WillCompactEvent {
  readonly sessionId: string;
  readonly source: 'manual' | 'auto' | 'idle' | 'partial';
  /** Extra instructions for the summary (merged after the user's). */
  addInstructions(text: string): void;
  /** A file or note to re-attach after the summary. */
  addAttachment(attachment: { path: string; text: string }): void;
}

export interface DidCompactEvent {
  readonly sessionId: string;
  readonly compactionId: string;
  readonly report: CompactionReport;
}

export type WillCompactListener = (event: WillCompactEvent) => void | Promise<void>;

export interface CollectedHooks {
  instructions: string[];
  attachments: Array<{ path: string; text: string }>;
  /** One line per listener that failed or timed out. */
  problems: string[];
}

/** Runs the before-compaction listeners and collects what they add. */
export async function collectHooks(
  listeners: readonly WillCompactListener[],
  base: { sessionId: string; source: WillCompactEvent['source'] },
  timeoutMs = HOOK_TIMEOUT_MS,
): Promise<CollectedHooks> {
  const out: CollectedHooks = { instructions: [], attachments: [], problems: [] };
  for (const [i, listener] of listeners.entries()) {
    let open = true; // additions after a timeout are ignored
    const event: WillCompactEvent = {
      ...base,
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
      out.problems.push(`before-compaction hook ${i + 1} skipped: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      open = false;
      if (timer) clearTimeout(timer);
    }
  }
  return out;
}
