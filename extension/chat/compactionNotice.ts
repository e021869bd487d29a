import * as vscode from 'vscode';
import type { CompactionReport } from '../../src/compaction/types';
import { compactionLine } from '../ui/format';

export const SHOW_COMPACTION_COMMAND = 'compactor.showCompaction';

/** A one-line notice for the chat: before → after, saved %, a link that opens the summary. */
export function compactionNotice(report: CompactionReport, sessionId: string, compactionId: string, source: string): vscode.MarkdownString {
  const args = encodeURIComponent(JSON.stringify([sessionId, compactionId]));
  const md = new vscode.MarkdownString(
    `\n\n> $(fold) ${source === 'auto' ? 'Automatically compacted' : 'Compacted'} — ${compactionLine(report).replace(/^Compacted: /, '')}. [Open the summary](command:${SHOW_COMPACTION_COMMAND}?${args})\n\n`,
    true,
  );
  md.isTrusted = { enabledCommands: [SHOW_COMPACTION_COMMAND] };
  return md;
}
