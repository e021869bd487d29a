import * as vscode from 'vscode';
import { CONTEXT_VIEW_ID } from '../webview/contextViewProvider';
import { SHOW_CONTEXT_COMMAND } from '../ui/gaugeModel';
import type { Command } from './command';

/** Reveals the Context view (meter, chart, compaction history); also what a click on the gauge runs. */
export const showContext: Command = {
  id: SHOW_CONTEXT_COMMAND,
  async execute() {
    await vscode.commands.executeCommand(`${CONTEXT_VIEW_ID}.focus`);
  },
};
