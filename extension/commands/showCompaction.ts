import * as vscode from 'vscode';
import { compactionLine } from '../ui/format';
import type { Command } from './command';
import { namedCompaction } from './namedCompaction';

/** Opens a compaction's summary (and what it reports) as a read-only Markdown document. */
export const showCompaction: Command = {
  id: 'compactor.showCompaction',
  async execute(ctx, sessionId?: unknown, compactionId?: unknown) {
    const { compaction: c } = await namedCompaction(ctx, 'Show Compaction', sessionId, compactionId);
    const report = { ...c, status: 'compacted' as const, tokensSaved: c.before.tokens - c.after.tokens };
    const body = [
      `# Compaction of ${new Date(c.at).toLocaleString()}`,
      '',
      `${compactionLine(report)} · source: ${c.source} · strategy: ${c.strategy} · ${Math.round(c.durationMs)} ms${c.model ? ` · model: ${c.model}` : ''}`,
      c.instructions ? `\nInstructions: ${c.instructions}` : '',
      c.edited ? '\nThe summary was edited in the preview before it applied.' : '',
      c.prepared ? '\nThe summary was prepared in the background and applied at once.' : '',
      c.attachments.length ? `\nFiles restored: ${c.attachments.map((a) => a.path).join(', ')}` : '',
      '',
      c.summary ? c.summary : '_This compaction only masked old tool results; it has no summary._',
    ].join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: body });
    await vscode.window.showTextDocument(doc, { preview: true });
  },
};
