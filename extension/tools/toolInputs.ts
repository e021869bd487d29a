/**
 * The input of every @compactor tool, one zod schema each: the one typed place
 * a tool's input is defined (package.json's `languageModelTools` repeats them
 * as JSON schema for VS Code; test/unit/tools/toolInputs.test.ts keeps the two
 * in step). No vscode import.
 */
import * as z from 'zod';
import { RECALL_TOOL_NAME } from '../../src/compaction/constants';
import { RecallInputSchema } from '../../src/compaction/recall';

export const READ_FILE_TOOL = 'compactor_readFile';
export const LIST_FOLDER_TOOL = 'compactor_listFolder';
export const SEARCH_TEXT_TOOL = 'compactor_searchText';
export const DIAGNOSTICS_TOOL = 'compactor_diagnostics';
export const EDIT_FILE_TOOL = 'compactor_editFile';
export const CREATE_FILE_TOOL = 'compactor_createFile';
export const WRITE_FILE_TOOL = 'compactor_writeFile';
export const RUN_IN_TERMINAL_TOOL = 'compactor_runInTerminal';
/** Recall's input is defined with the recall engine (src/compaction/recall), which the server shares. */
export const RECALL_TOOL = RECALL_TOOL_NAME;

/** Longest a command may run (seconds); the default when the model names none. */
export const TERMINAL_TIMEOUT_MAX_SECONDS = 1_800;
export const TERMINAL_TIMEOUT_DEFAULT_SECONDS = 120;

export const ReadFileInput = z.object({
  path: z.string().min(1),
  startLine: z.number().int().min(1).optional(),
  endLine: z.number().int().min(1).optional(),
});

export const ListFolderInput = z.object({ path: z.string().default('.') });

export const SearchTextInput = z.object({
  query: z.string().min(1),
  isRegex: z.boolean().default(false),
  include: z.string().optional(),
});

export const DiagnosticsInput = z.object({ path: z.string().optional() });

export const EditFileInput = z.object({
  path: z.string().min(1),
  /** The exact passage to replace; must occur exactly once. */
  oldText: z.string().min(1),
  newText: z.string(),
});

export const CreateFileInput = z.object({ path: z.string().min(1), content: z.string() });

export const WriteFileInput = z.object({ path: z.string().min(1), content: z.string() });

export const RunInTerminalInput = z.object({
  command: z.string().trim().min(1),
  /** Workspace-relative (or absolute, inside the workspace) working directory; default the first workspace folder. */
  cwd: z.string().optional(),
  timeoutSeconds: z.number().int().min(1).max(TERMINAL_TIMEOUT_MAX_SECONDS).optional(),
});

/** Every tool's schema by name (the contract package.json must match). */
export const TOOL_INPUTS = {
  [READ_FILE_TOOL]: ReadFileInput,
  [LIST_FOLDER_TOOL]: ListFolderInput,
  [SEARCH_TEXT_TOOL]: SearchTextInput,
  [DIAGNOSTICS_TOOL]: DiagnosticsInput,
  [EDIT_FILE_TOOL]: EditFileInput,
  [CREATE_FILE_TOOL]: CreateFileInput,
  [WRITE_FILE_TOOL]: WriteFileInput,
  [RUN_IN_TERMINAL_TOOL]: RunInTerminalInput,
  [RECALL_TOOL]: RecallInputSchema,
} as const;

/** Parses a tool's input; a bad input becomes one sentence the model can correct. */
export function parseToolInput<S extends z.ZodType>(tool: string, schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'input';
  throw new Error(`Invalid input for ${tool}: ${where}: ${issue?.message ?? 'invalid'}.`);
}
