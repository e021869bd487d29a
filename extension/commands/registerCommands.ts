import * as vscode from 'vscode';
import type { CompactorContext } from '../compactorContext';
import type { Command } from './command';
import { compactConversation } from './compactConversation';
import { compactPartial } from './compactPartial';
import { importTranscript } from './importTranscript';
import { deleteSession, exportSession, renameSession } from './manageSessions';
import { newSession } from './newSession';
import { openSession } from './openSession';
import { openSessionTranscript } from './openSessionTranscript';
import { revertLastCompaction } from './revertLastCompaction';
import { showCompaction } from './showCompaction';
import { showContext } from './showContext';
import { pinMessage, unpinMessage } from './pinMessage';
import { pinFromView, revertCompactionFromView, showBeforeAfter } from './showBeforeAfter';
import { errorMessage } from '../../src/compaction/errors';

const COMMANDS: readonly Command[] = [
  compactConversation,
  revertLastCompaction,
  newSession,
  openSession,
  openSessionTranscript,
  compactPartial,
  renameSession,
  deleteSession,
  exportSession,
  showCompaction,
  showContext,
  importTranscript,
  pinMessage,
  unpinMessage,
  showBeforeAfter,
  revertCompactionFromView,
  pinFromView,
];

/** Registers every command; a failure is shown to the user and logged, never swallowed. */
export function registerCommands(ctx: CompactorContext): vscode.Disposable {
  return vscode.Disposable.from(
    ...COMMANDS.map((command) =>
      vscode.commands.registerCommand(command.id, async (...args: unknown[]) => {
        try {
          return await command.execute(ctx, ...args);
        } catch (err) {
          const message = errorMessage(err);
          ctx.output.error(`${command.id} failed: ${message}`);
          void vscode.window.showErrorMessage(`Context Compactor: ${message}`, 'Open Output').then((choice) => {
            if (choice) ctx.output.show();
          });
          return undefined;
        }
      }),
    ),
  );
}
