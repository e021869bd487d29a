import * as vscode from 'vscode';
import type { CompactionReport } from '../../src/compaction/types';
import type { UsageBreakdown } from '../../src/compaction/usage';
import type { CompactorContext } from '../compactorContext';
import type { DidCompactEvent, WillCompactListener } from './compactionHooks';

export type { DidCompactEvent, WillCompactEvent, WillCompactListener } from './compactionHooks';

/**
 * What `activate()` returns to other extensions:
 * `vscode.extensions.getExtension('context-compactor.context-compactor')?.exports`.
 * Bump `apiVersion` on any incompatible change.
 */
export interface CompactorApi {
  readonly apiVersion: 1;
  /** The session the gauge shows, if any. */
  getActiveSessionId(): string | undefined;
  /** The context breakdown of a session (default: the active one); undefined when there is none. */
  getUsage(sessionId?: string): Promise<UsageBreakdown | undefined>;
  /** Compacts a session (default: the active one) now, as the user's Compact Conversation does. */
  compact(options?: { sessionId?: string; instructions?: string }): Promise<CompactionReport>;
  /** Before every compaction: a listener may add instructions or attachments (2 s at most). */
  onWillCompact(listener: WillCompactListener): vscode.Disposable;
  /** After every compaction that changed a session. */
  readonly onDidCompact: vscode.Event<DidCompactEvent>;
}

export function createCompactorApi(ctx: CompactorContext): CompactorApi {
  const sessions = ctx.sessions;
  const sessionOrThrow = (id?: string): string => {
    const sessionId = id ?? sessions.activeSessionId;
    if (!sessionId) throw new Error('There is no active Context Compactor session.');
    return sessionId;
  };
  return {
    apiVersion: 1,
    getActiveSessionId: () => sessions.activeSessionId,
    async getUsage(sessionId) {
      const id = sessionId ?? sessions.activeSessionId;
      return id ? sessions.usage(await sessions.load(id)) : undefined;
    },
    async compact(options = {}) {
      const id = sessionOrThrow(options.sessionId);
      const request = { source: 'manual' as const, ...(options.instructions ? { instructions: options.instructions } : {}) };
      const result = await sessions.compactions.compactWithModel(id, request, sessions.chatModelOf(id));
      return result.report;
    },
    onWillCompact: (listener) => sessions.compactions.addWillCompactListener(listener),
    onDidCompact: sessions.compactions.onDidCompact,
  };
}
