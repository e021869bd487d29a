import * as vscode from 'vscode';
import { importTranscriptFile } from '../sessions/importTranscriptFile';
import type { Command } from './command';

/** Imports a transcript file from another tool as a new session and makes it active. */
export const importTranscript: Command = {
  id: 'compactor.importTranscript',
  async execute(ctx, pathArg?: unknown) {
    let path = typeof pathArg === 'string' ? pathArg : undefined;
    if (!path) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Import a transcript (Claude Code, pi, OpenAI chat, SWE-agent, mini-swe-agent, OpenHands)',
        canSelectMany: false,
        filters: { Transcripts: ['jsonl', 'json', 'traj'], 'All files': ['*'] },
      });
      path = picked?.[0]?.fsPath;
      if (!path) return undefined;
    }
    // A transcript that does not name its model is measured against the chat model available now.
    const [model] = await vscode.lm.selectChatModels();
    const fallbackModel = model ? { id: model.id, family: model.family, vendor: model.vendor, maxInputTokens: model.maxInputTokens } : undefined;
    const imported = await importTranscriptFile({ engine: ctx.engine, sessions: ctx.sessions }, path, fallbackModel);
    ctx.sessions.setActive(imported.log.header.id);
    for (const w of imported.warnings) ctx.output.warn(`import ${path}: ${w}`);
    const messages = imported.log.records.filter((r) => r.type === 'message').length;
    const notes = [imported.warnings.length ? `${imported.warnings.length} lines skipped (see Output)` : '', imported.estimated ? 'token counts are estimates' : '']
      .filter(Boolean)
      .join('; ');
    void vscode.window.showInformationMessage(`Imported "${imported.log.header.title}": ${messages} messages${notes ? ` (${notes})` : ''}.`);
    return imported.log.header.id;
  },
};
