import * as vscode from 'vscode';
import type { CompactorContext } from '../compactorContext';
import { decideAutoCompaction } from '../sessions/autoCompactionDecision';
import { formatTokens } from '../ui/format';
import { compactionNotice } from './compactionNotice';
import { errorMessage } from '../../src/compaction/errors';

export type Room = { ok: true } | { ok: false; message: string };

/**
 * Before a model request (and between tool rounds): compacts the session when
 * its context would pass the auto-compact level, and refuses to send a request
 * that must fail because the context is over the window even after compaction.
 */
export async function ensureRoomForRequest(
  ctx: CompactorContext,
  sessionId: string,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
  model?: vscode.LanguageModelChat,
): Promise<Room> {
  const sessions = ctx.sessions;
  const settings = ctx.config.settings;
  const breaker = sessions.compactions.breaker(sessionId);
  let usage = sessions.usage(await sessions.load(sessionId));
  const decision = decideAutoCompaction({
    contextTokens: usage.used,
    nextRequestTokens: 0,
    effectiveWindow: usage.effectiveWindow,
    autoCompactPercent: settings.levels.autoCompactPercent,
    enabled: settings.autoCompact.enabled,
    breaker,
  });
  if (decision.action === 'compact') {
    stream.progress('Compacting conversation…');
    try {
      const started = performance.now();
      const result = await sessions.compactions.compactWithModel(sessionId, { source: 'auto' }, model, token);
      // The wait a person sees at the auto-compaction point (bench/speed/extensionHost.ts reads this line).
      ctx.output.info(`session ${sessionId}: automatic compaction ${result.status} after a wait of ${Math.round(performance.now() - started)} ms${result.report.prepared ? ' (prepared in the background)' : ''}`);
      if (result.status === 'compacted') {
        breaker.recordSuccess();
        stream.markdown(compactionNotice(result.report, sessionId, result.record.id, 'auto'));
      } else {
        breaker.recordFailure(result.report.reason ?? result.status);
        ctx.telemetry.breakerAfterFailure(sessionId, breaker.status(), result.status, result.report.model);
        stream.markdown(`\n\n> Automatic compaction did not shrink the context (${result.report.reason ?? result.status}).\n\n`);
      }
    } catch (err) {
      const reason = errorMessage(err);
      breaker.recordFailure(reason);
      ctx.telemetry.breakerAfterFailure(sessionId, breaker.status(), err);
      ctx.output.warn(`automatic compaction failed: ${reason}`);
      stream.markdown(`\n\n> Automatic compaction failed: ${reason}\n\n`);
    }
    usage = sessions.usage(await sessions.load(sessionId));
  } else if (decision.action === 'blocked') {
    stream.markdown(`\n\n> Automatic compaction is paused: ${decision.reason}. Use /compact to compact by hand.\n\n`);
  }
  if (usage.used > usage.effectiveWindow) {
    return {
      ok: false,
      message: `This session uses ${formatTokens(usage.used)} tokens, more than the model's ${formatTokens(usage.effectiveWindow)}-token window, so the request would fail. Run /compact (or Compact Conversation), or start a new chat.`,
    };
  }
  return { ok: true };
}
