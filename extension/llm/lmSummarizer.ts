/**
 * The Summarizer the LLM pipeline needs, written with `vscode.lm`: one request
 * to the chat model, the answer streamed into one string, failures mapped to
 * SummarizerError kinds (modelErrorKinds.ts). `vscode.lm` reports no usage,
 * so the pipeline counts the tokens itself.
 */
import * as vscode from 'vscode';
import { SummarizerError, type SummarizeRequest, type SummarizeResponse, type Summarizer } from '../../src/compaction/llm/summarizer';
import { classifyModelFailure } from './modelErrorKinds';
import { errorMessage } from '../../src/compaction/errors';

const JUSTIFICATION = 'Context Compactor summarizes the older part of this conversation so it fits the context window.';

export class LmSummarizer implements Summarizer {
  readonly model: string;

  constructor(private readonly chatModel: vscode.LanguageModelChat) {
    this.model = chatModel.id;
  }

  get maxInputTokens(): number {
    return this.chatModel.maxInputTokens;
  }

  async summarize(request: SummarizeRequest): Promise<SummarizeResponse> {
    const cts = new vscode.CancellationTokenSource();
    const cancel = () => cts.cancel();
    request.signal.addEventListener('abort', cancel, { once: true });
    try {
      if (request.signal.aborted) throw new SummarizerError('aborted', 'cancelled');
      const messages = request.messages.map((m) =>
        m.role === 'user' ? vscode.LanguageModelChatMessage.User(m.text) : vscode.LanguageModelChatMessage.Assistant(m.text),
      );
      const response = await this.chatModel.sendRequest(messages, { justification: JUSTIFICATION }, cts.token);
      let text = '';
      for await (const chunk of response.text) {
        if (request.signal.aborted) throw new SummarizerError('aborted', 'cancelled');
        text += chunk;
      }
      return { text };
    } catch (err) {
      throw toSummarizerError(err, request.signal.aborted || cts.token.isCancellationRequested);
    } finally {
      request.signal.removeEventListener('abort', cancel);
      cts.dispose();
    }
  }
}

function toSummarizerError(err: unknown, cancelled: boolean): SummarizerError {
  if (err instanceof SummarizerError) return err;
  const message = errorMessage(err);
  const code = err instanceof vscode.LanguageModelError ? err.code : undefined;
  const isCancel = cancelled || err instanceof vscode.CancellationError;
  const { kind, gapTokens } = classifyModelFailure({ ...(code ? { code } : {}), message, cancelled: isCancel });
  return new SummarizerError(kind, code ? `${code}: ${message}` : message, gapTokens);
}

/**
 * The model that writes summaries: the one named in `compactor.summaryModel`
 * (an id, else a family) when set and available, else the session's own model
 * (the chat request's, else found by the id in the session header).
 * Undefined when none is available: the caller compacts without a model.
 */
export async function summaryModel(
  setting: string,
  requestModel: vscode.LanguageModelChat | undefined,
  sessionModelId: string | undefined,
  warn: (message: string) => void,
): Promise<vscode.LanguageModelChat | undefined> {
  const named = setting.trim();
  if (named) {
    const [byId] = await vscode.lm.selectChatModels({ id: named });
    const found = byId ?? (await vscode.lm.selectChatModels({ family: named }))[0];
    if (found) return found;
    warn(`compactor.summaryModel: no chat model "${named}" is available; using the session's model.`);
  }
  if (requestModel) return requestModel;
  if (!sessionModelId) return undefined;
  const [bySession] = await vscode.lm.selectChatModels({ id: sessionModelId });
  return bySession;
}
