import * as vscode from 'vscode';
import { activeCompaction, revertedIds } from '../../src/compaction/context';
import type { CompactResponse } from '../../src/compaction/protocol';
import type { CompactionRecord } from '../../src/compaction/records';
import { USED_CATEGORIES } from '../../src/compaction/usage';
import { wantsPreview } from '../commands/compactionPreview';
import { unapplied } from '../commands/compactWithProgress';
import type { CompactorContext } from '../compactorContext';
import { CATEGORY_LABELS } from '../ui/categories';
import { formatTokens, revertedLine } from '../ui/format';
import { pinFromPrompt } from '../pins/pinRequests';
import { compactionNotice } from './compactionNotice';

/** `/compact [instructions]`, `/usage`, `/history`, `/revert`, `/pin ["passage"]`, `/unpin ["passage"]`. */
export async function runSlashCommand(
  ctx: CompactorContext,
  request: vscode.ChatRequest,
  sessionId: string,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<void> {
  const sessions = ctx.sessions;
  switch (request.command) {
    case 'compact': {
      const instructions = request.prompt.trim();
      const compact = { source: 'manual' as const, ...(instructions ? { instructions } : {}) };
      let result: CompactResponse;
      if (wantsPreview(ctx, 'conversation')) {
        stream.progress('Preparing the compaction preview…');
        const outcome = await ctx.previews.run(sessionId, compact, request.model, token, () =>
          stream.progress('The proposed compaction is open in the editor: edit the summary if you like, then Apply or Discard.'),
        );
        if (outcome.state !== 'applied') {
          stream.markdown(unapplied(outcome).message);
          return;
        }
        result = outcome.result;
      } else {
        stream.progress('Compacting conversation…');
        result = await sessions.compactions.compactWithModel(sessionId, compact, request.model, token);
      }
      if (result.status === 'compacted') {
        sessions.compactions.breaker(sessionId).recordManualCompaction();
        stream.markdown(compactionNotice(result.report, sessionId, result.record.id, 'manual'));
      } else {
        stream.markdown(`Nothing was compacted: ${result.report.reason ?? result.status}. The session is unchanged.`);
      }
      return;
    }
    case 'usage': {
      const log = await sessions.load(sessionId);
      const usage = sessions.usage(log);
      const rows = [...USED_CATEGORIES, 'reservedOutput', 'free'] as const;
      const lines = [
        `**Context: ${Math.round(usage.percentUsed)}% · ${formatTokens(usage.used)}/${formatTokens(usage.effectiveWindow)} tokens**${usage.estimated ? ' (estimated)' : usage.reported ? ' (provider-reported)' : ''}`,
        '',
        '| category | tokens |',
        '| --- | ---: |',
        ...rows.map((c) => `| ${CATEGORY_LABELS[c]} | ${usage.categories[c].toLocaleString('en-US')} |`),
        '',
        `Window ${usage.window.toLocaleString('en-US')} tokens; levels: warn ${ctx.config.settings.levels.warnPercent}%, auto-compact ${ctx.config.settings.levels.autoCompactPercent}%.`,
      ];
      stream.markdown(lines.join('\n'));
      return;
    }
    case 'history': {
      const log = await sessions.load(sessionId);
      const reverted = revertedIds(log);
      const compactions = log.records.filter((r): r is CompactionRecord => r.type === 'compaction');
      if (compactions.length === 0) {
        stream.markdown('This session has not been compacted yet.');
        return;
      }
      const lines = ['| when | source | tiers | tokens | saved | |', '| --- | --- | --- | --- | ---: | --- |'];
      for (const c of compactions) {
        const saved = c.before.tokens > 0 ? Math.round(((c.before.tokens - c.after.tokens) / c.before.tokens) * 100) : 0;
        const tiers = c.tiers.filter((t) => t.count > 0).map((t) => t.tier).join(', ');
        lines.push(`| ${new Date(c.at).toLocaleString()} | ${c.source} | ${tiers} | ${formatTokens(c.before.tokens)} → ${formatTokens(c.after.tokens)} | ${saved}% | ${[reverted.has(c.id) ? 'reverted' : '', c.edited ? 'edited' : '', c.prepared ? 'prepared' : ''].filter(Boolean).join(', ')} |`);
      }
      const totals = sessions.totals(log);
      const revertedCount = compactions.filter((c) => reverted.has(c.id)).length;
      lines.push('', `Total: ${totals.compactions} compactions in effect, ${formatTokens(totals.tokensSaved)} tokens saved${revertedCount ? ` (${revertedCount} reverted)` : ''}.`);
      stream.markdown(lines.join('\n'));
      return;
    }
    case 'revert': {
      const reverted = await sessions.compactions.revertLast(sessionId);
      if (!reverted) {
        stream.markdown('There is no compaction to revert in this session.');
        return;
      }
      const log = await sessions.load(sessionId);
      const usage = sessions.usage(log);
      stream.markdown(revertedLine(reverted.source, usage.used, { at: reverted.at, earlierApplies: activeCompaction(log) !== undefined }));
      return;
    }
    case 'pin':
    case 'unpin': {
      const outcome = await pinFromPrompt(sessions, sessionId, request.prompt, request.command === 'pin');
      stream.markdown(outcome.text);
      return;
    }
    default:
      stream.markdown(`Unknown command /${request.command ?? ''}. Try /compact, /usage, /history, /revert, /pin or /unpin.`);
  }
}
