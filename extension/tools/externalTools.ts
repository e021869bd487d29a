/**
 * Which tools @compactor offers its model besides its own. No vscode import:
 * unit-tested in plain Node (toolLoop.ts feeds it `vscode.lm.tools`).
 *
 * - Our own tools (`compactor_*`) always.
 * - Tools the person #-mentions in the request, always (a mention is consent).
 * - Other extensions' and MCP servers' tools by `compactor.agent.externalTools`:
 *   `mentioned` (default) offers only mentioned ones; `all` offers every one
 *   that can run; `none` offers none, mentioned or not.
 *   `mentioned` is the default because every offered tool's schema is sent
 *   with every request — dozens of MCP tools cost thousands of tokens of the
 *   very context this extension exists to save — and a tool the person never
 *   chose should not run on their machine by default.
 * - Never tools that cannot run from another extension's tool loop: Copilot's
 *   own tools (`copilot_*`, and those tagged for Copilot's editing session,
 *   `vscode_editing*`) and VS Code's internal ones (`vscode_*`) expect the
 *   state of Copilot's agent loop (its edit session, its prompt) and throw
 *   when another extension invokes them.
 */

export type ExternalToolsMode = 'mentioned' | 'all' | 'none';
export const EXTERNAL_TOOLS_MODES: readonly ExternalToolsMode[] = ['mentioned', 'all', 'none'];

export const OWN_TOOL_PREFIX = 'compactor_';

export interface ToolInfo {
  name: string;
  tags: readonly string[];
}

/** Why a tool cannot run from our loop, or undefined when it can. */
export function unrunnableReason(tool: ToolInfo): string | undefined {
  if (tool.name.startsWith('copilot_')) return 'it is one of Copilot’s own tools, which only run inside Copilot’s agent';
  if (tool.name.startsWith('vscode_')) return 'it is internal to VS Code’s own agent';
  if (tool.tags.some((t) => t.startsWith('vscode_editing'))) return 'it edits through Copilot’s editing session, which only Copilot’s agent has';
  return undefined;
}

export interface ToolSelection<T extends ToolInfo> {
  offered: T[];
  /** Mentioned tools that are not offered, with the reason (told to the person). */
  refused: Array<{ name: string; reason: string }>;
}

export function selectTools<T extends ToolInfo>(all: readonly T[], mode: ExternalToolsMode, mentioned: ReadonlySet<string>): ToolSelection<T> {
  const offered: T[] = [];
  const refused: Array<{ name: string; reason: string }> = [];
  for (const tool of all) {
    const own = tool.name.startsWith(OWN_TOOL_PREFIX);
    const isMentioned = mentioned.has(tool.name);
    if (own) {
      offered.push(tool);
      continue;
    }
    const wanted = mode === 'all' || (mode === 'mentioned' && isMentioned);
    if (!wanted) {
      if (isMentioned) refused.push({ name: tool.name, reason: 'compactor.agent.externalTools is "none"' });
      continue;
    }
    const reason = unrunnableReason(tool);
    if (reason) {
      if (isMentioned) refused.push({ name: tool.name, reason });
      continue;
    }
    offered.push(tool);
  }
  return { offered, refused };
}
