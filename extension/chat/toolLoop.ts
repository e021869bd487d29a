import * as vscode from 'vscode';
import type { Part } from '../../src/compaction/records';
import { selectTools, type ExternalToolsMode } from '../tools/externalTools';
import { boundToolResult } from '../tools/outputBounds';
import { errorMessage } from '../../src/compaction/errors';

export interface ModelRound {
  /** Parts of the assistant message: text and tool calls, in order. */
  parts: Part[];
  toolCalls: vscode.LanguageModelToolCallPart[];
}

export interface OfferedTools {
  tools: vscode.LanguageModelChatTool[];
  /** Tools the person #-mentioned that are not offered, and why (said in the chat). */
  refused: Array<{ name: string; reason: string }>;
}

/**
 * The tools offered to the model: this extension's own, the ones the person
 * #-mentioned, and — by `compactor.agent.externalTools` — other extensions'
 * and MCP servers' tools that can run from this loop (externalTools.ts has the rule).
 */
export function offeredTools(request: vscode.ChatRequest, mode: ExternalToolsMode): OfferedTools {
  const mentioned = new Set(request.toolReferences.map((r) => r.name));
  const { offered, refused } = selectTools(vscode.lm.tools, mode, mentioned);
  return { tools: offered.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })), refused };
}

/** Sends one request and streams its text to the chat; returns what the model said and asked for. */
export async function runModelRound(
  model: vscode.LanguageModelChat,
  messages: vscode.LanguageModelChatMessage[],
  tools: vscode.LanguageModelChatTool[],
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<ModelRound> {
  const response = await model.sendRequest(messages, { justification: 'Context Compactor answers your @compactor requests with this model.', ...(tools.length ? { tools } : {}) }, token);
  const parts: Part[] = [];
  const toolCalls: vscode.LanguageModelToolCallPart[] = [];
  let text = '';
  const flushText = () => {
    if (text) parts.push({ type: 'text', text });
    text = '';
  };
  for await (const chunk of response.stream) {
    if (chunk instanceof vscode.LanguageModelTextPart) {
      text += chunk.value;
      stream.markdown(chunk.value);
    } else if (chunk instanceof vscode.LanguageModelToolCallPart) {
      flushText();
      toolCalls.push(chunk);
      parts.push({ type: 'tool_call', id: chunk.callId, name: chunk.name, args: chunk.input as Record<string, unknown> });
    }
    if (token.isCancellationRequested) break;
  }
  flushText();
  return { parts, toolCalls };
}

export const CANCELLED_RESULT = 'Cancelled: the person stopped the request before this tool ran.';
const CANCELLED_DURING = 'Cancelled: the person stopped the request while this tool ran; it was stopped and may have done part of its work.';
const DECLINED = 'Not run: the person did not allow this tool call. Ask them what they want instead of retrying it.';

/** A "cancelled" result for each call, so the log never holds a tool call without its result. */
export function cancelledResults(calls: readonly vscode.LanguageModelToolCallPart[]): Part[] {
  return calls.map((c) => ({ type: 'tool_result', callId: c.callId, name: c.name, text: CANCELLED_RESULT, isError: true }));
}

/**
 * Runs the tools the model asked for; a failing tool becomes an error result
 * the model can read. Every call gets a result, also when the request is
 * cancelled before or during it. A result's whole text is stored in the
 * session log; what the model sees of it is bounded (outputBounds.ts:
 * `text` bounded, `fullText` whole).
 */
export async function runTools(
  calls: readonly vscode.LanguageModelToolCallPart[],
  request: vscode.ChatRequest,
  token: vscode.CancellationToken,
): Promise<Part[]> {
  const results: Part[] = [];
  for (const call of calls) {
    if (token.isCancellationRequested) {
      results.push(...cancelledResults([call]));
      continue;
    }
    try {
      const result = await vscode.lm.invokeTool(call.name, { input: call.input, toolInvocationToken: request.toolInvocationToken }, token);
      const text = result.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : '')).join('');
      results.push({ type: 'tool_result', callId: call.callId, name: call.name, ...boundToolResult(call.name, text) });
    } catch (err) {
      const message = token.isCancellationRequested ? CANCELLED_DURING : isCancellation(err) ? DECLINED : errorMessage(err);
      results.push({ type: 'tool_result', callId: call.callId, name: call.name, ...boundToolResult(call.name, message), isError: true });
    }
  }
  return results;
}

/** VS Code rejects with a CancellationError (name "Canceled") when the person declines a confirmation. */
function isCancellation(err: unknown): boolean {
  return err instanceof vscode.CancellationError || (err instanceof Error && (err.name === 'Canceled' || err.message === 'Canceled'));
}
