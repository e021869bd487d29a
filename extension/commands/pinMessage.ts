import * as vscode from 'vscode';
import { pinsOf, previewOf } from '../../src/compaction/pinList';
import { messagesOf } from '../../src/compaction/context';
import { PinMessageArgsSchema } from '../../src/compaction/protocol';
import type { CompactorContext } from '../compactorContext';
import { activeSessionOrSay } from './activeSession';
import type { Command } from './command';

/** How many recent messages the Pin Message picker offers when no message is given. */
const PICK_RECENT_MESSAGES = 50;

async function targetOf(ctx: CompactorContext, sessionId: unknown, messageId: unknown, pinned: boolean): Promise<{ sessionId: string; messageId: string } | undefined> {
  if (typeof sessionId === 'string' && typeof messageId === 'string') return { sessionId, messageId };
  // The transcript and before/after lenses pass one PinMessageArgs object.
  if (typeof sessionId === 'object' && sessionId !== null) {
    const args = PinMessageArgsSchema.safeParse(sessionId);
    if (!args.success) throw new Error(`${pinned ? 'Pin' : 'Unpin'} Message: invalid arguments (${args.error.issues[0]?.message ?? 'unknown'}).`);
    return args.data;
  }
  if (sessionId !== undefined || messageId !== undefined) throw new Error(`${pinned ? 'Pin' : 'Unpin'} Message needs a session id and a message id.`);
  const id = await activeSessionOrSay(ctx);
  if (!id) return undefined;
  const log = await ctx.sessions.load(id);
  const items = pinned
    ? messagesOf(log).slice(-PICK_RECENT_MESSAGES).reverse().map((m) => ({ label: previewOf(m), description: `${m.role} · ${m.tokens.toLocaleString('en-US')} tokens`, id: m.id }))
    : pinsOf(log).map((p) => ({ label: p.preview, description: `${p.role} · ${p.tokens.toLocaleString('en-US')} tokens`, id: p.messageId }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage(pinned ? 'The active session has no messages yet.' : 'Nothing is pinned in the active session.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder: pinned ? 'Message to keep verbatim through every compaction' : 'Pin to remove' });
  return picked ? { sessionId: id, messageId: picked.id } : undefined;
}

function pinCommand(id: string, pinned: boolean): Command {
  return {
    id,
    /** Args: session id, message id[, origin] (the Context view), or one PinMessageArgs (the lenses); none: a picker. */
    async execute(ctx, sessionId?: unknown, messageId?: unknown, origin?: unknown) {
      const target = await targetOf(ctx, sessionId, messageId, pinned);
      if (!target) return undefined;
      const from = 'origin' in target && typeof target.origin === 'string' ? target.origin : typeof origin === 'string' ? origin : 'command';
      const record = await ctx.sessions.setPin(target.sessionId, target.messageId, pinned, { origin: from });
      vscode.window.setStatusBarMessage(pinned ? 'Pinned: compaction keeps this message verbatim' : 'Unpinned', 3_000);
      return record.id;
    },
  };
}

/** Pins a message: compaction keeps it verbatim (src/compaction/pins.ts). */
export const pinMessage = pinCommand('compactor.pinMessage', true);
/** Unpins a message: the next compaction may summarize it. */
export const unpinMessage = pinCommand('compactor.unpinMessage', false);
