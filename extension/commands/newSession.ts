import * as vscode from 'vscode';
import type { Command } from './command';

/** A session is a chat: opens a new chat in the Chat view addressed to @compactor. */
export const newSession: Command = {
  id: 'compactor.newSession',
  async execute(ctx) {
    ctx.sessions.setActive(undefined);
    await vscode.commands.executeCommand('workbench.action.chat.newChat');
    await vscode.commands.executeCommand('workbench.action.chat.open', { query: '@compactor ', isPartialQuery: true });
  },
};
