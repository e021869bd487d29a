import * as vscode from 'vscode';
import { createFileTool } from './createFile';
import { diagnosticsTool } from './diagnostics';
import { editFileTool } from './editFile';
import { listFolderTool } from './listFolder';
import type { SessionService } from '../sessions/sessionService';
import { readFileTool } from './readFile';
import { recallTool } from './recall';
import { runInTerminalTool } from './runInTerminal';
import { searchTextTool } from './searchText';
import { ShellRunner } from './terminal/shellRunner';
import {
  CREATE_FILE_TOOL,
  DIAGNOSTICS_TOOL,
  EDIT_FILE_TOOL,
  LIST_FOLDER_TOOL,
  READ_FILE_TOOL,
  RECALL_TOOL,
  RUN_IN_TERMINAL_TOOL,
  SEARCH_TEXT_TOOL,
  WRITE_FILE_TOOL,
} from './toolInputs';
import { writeFileTool } from './writeFile';

/** Names of the tools the participant offers its model: four that read, four that change things (each with a review step), and recall. */
export const COMPACTOR_TOOLS = [
  READ_FILE_TOOL,
  LIST_FOLDER_TOOL,
  SEARCH_TEXT_TOOL,
  DIAGNOSTICS_TOOL,
  EDIT_FILE_TOOL,
  CREATE_FILE_TOOL,
  WRITE_FILE_TOOL,
  RUN_IN_TERMINAL_TOOL,
  RECALL_TOOL,
] as const;

/** `sessions`: the logs the recall tool reads. */
export function registerTools(sessions: SessionService): vscode.Disposable {
  const shell = new ShellRunner();
  return vscode.Disposable.from(
    vscode.lm.registerTool(READ_FILE_TOOL, readFileTool),
    vscode.lm.registerTool(LIST_FOLDER_TOOL, listFolderTool),
    vscode.lm.registerTool(SEARCH_TEXT_TOOL, searchTextTool),
    vscode.lm.registerTool(DIAGNOSTICS_TOOL, diagnosticsTool),
    vscode.lm.registerTool(EDIT_FILE_TOOL, editFileTool),
    vscode.lm.registerTool(CREATE_FILE_TOOL, createFileTool),
    vscode.lm.registerTool(WRITE_FILE_TOOL, writeFileTool),
    vscode.lm.registerTool(RUN_IN_TERMINAL_TOOL, runInTerminalTool(shell)),
    vscode.lm.registerTool(RECALL_TOOL, recallTool(sessions)),
    shell,
  );
}
