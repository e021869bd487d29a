import * as vscode from 'vscode';
import type { Part } from '../../src/compaction/records';
import { COMPACTOR_TOOLS } from '../tools/registerTools';

/** Rounds of model → tools → model in one request before the participant stops and says so. */
export const MAX_TOOL_ROUNDS = 8;

export interface ModelRound {
  /** Parts of the assistant message: text and tool calls, in order. */
  parts: Part[];
  toolCalls: vscode.LanguageModelToolCallPart[];
}

/** The tools offered to the model: this extension's read-only tools. */
export function offeredTools(): vscode.LanguageModelChatTool[] {
  const ours = new Set<string>(COMPACTOR_TOOLS);
  return vscode.lm.tools.filter((t) => ours.has(t.name)).map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
}

/** Sends one request and streams its text to the chat; returns what the model said and asked for. */
export async function runModelRound(
  model: vscode.LanguageModelChat,
  messages: vscode.LanguageModelChatMessage[],
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<ModelRound> {
  const tools = offeredTools();
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

/** Runs the tools the model asked for; a failing tool becomes an error result the model can read. */
export async function runTools(
  calls: readonly vscode.LanguageModelToolCallPart[],
  request: vscode.ChatRequest,
  token: vscode.CancellationToken,
): Promise<Part[]> {
  const results: Part[] = [];
  for (const call of calls) {
    try {
      const result = await vscode.lm.invokeTool(call.name, { input: call.input, toolInvocationToken: request.toolInvocationToken }, token);
      const text = result.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : '')).join('');
      results.push({ type: 'tool_result', callId: call.callId, name: call.name, text });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      results.push({ type: 'tool_result', callId: call.callId, name: call.name, text: message, isError: true });
    }
  }
  return results;
}
