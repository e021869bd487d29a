import * as vscode from 'vscode';
import { DIAGNOSTICS_TOOL, diagnosticsTool } from './diagnostics';
import { LIST_FOLDER_TOOL, listFolderTool } from './listFolder';
import type { SessionService } from '../sessions/sessionService';
import { READ_FILE_TOOL, readFileTool } from './readFile';
import { RECALL_TOOL, recallTool } from './recall';
import { SEARCH_TEXT_TOOL, searchTextTool } from './searchText';

/** Names of the tools the participant offers its model (all read-only). */
export const COMPACTOR_TOOLS = [READ_FILE_TOOL, LIST_FOLDER_TOOL, SEARCH_TEXT_TOOL, DIAGNOSTICS_TOOL, RECALL_TOOL] as const;

/** `sessions`: the logs the recall tool reads. */
export function registerTools(sessions: SessionService): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.lm.registerTool(READ_FILE_TOOL, readFileTool),
    vscode.lm.registerTool(LIST_FOLDER_TOOL, listFolderTool),
    vscode.lm.registerTool(SEARCH_TEXT_TOOL, searchTextTool),
    vscode.lm.registerTool(DIAGNOSTICS_TOOL, diagnosticsTool),
    vscode.lm.registerTool(RECALL_TOOL, recallTool(sessions)),
  );
}
