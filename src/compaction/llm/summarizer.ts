/**
 * The effects the LLM pipeline needs, injected as small interfaces: the model
 * (`Summarizer`), the workspace (`FileReader`) and time (`Sleep`). The
 * extension host implements them with `vscode.lm` and `workspace.fs`
 * (extension/llm/); tests script them.
 */

export interface SummarizerMessage {
  role: 'user' | 'assistant';
  text: string;
}

export interface SummarizeRequest {
  messages: SummarizerMessage[];
  /** Upper bound for the answer, when the model accepts one. */
  maxOutputTokens?: number;
  signal: AbortSignal;
}

export interface SummarizeResponse {
  text: string;
  /** Provider-reported usage, when the provider reports it. */
  inputTokens?: number;
  outputTokens?: number;
}

export interface Summarizer {
  /** Model name for the report and the record. */
  readonly model?: string;
  summarize(request: SummarizeRequest): Promise<SummarizeResponse>;
}

/**
 * - `prompt_too_long`: the request does not fit the model; `gapTokens`, when
 *   the provider says by how much, lets the pipeline drop just enough.
 * - `transient`: rate limit, overload, network; worth retrying after a pause.
 * - `model_error`: refused, blocked, not found, no permission; retrying will not help.
 * - `aborted`: the caller cancelled.
 */
export type SummarizerErrorKind = 'prompt_too_long' | 'transient' | 'model_error' | 'aborted';

export class SummarizerError extends Error {
  override readonly name = 'SummarizerError';
  constructor(
    readonly kind: SummarizerErrorKind,
    message: string,
    readonly gapTokens?: number,
  ) {
    super(message);
  }
}

export function isSummarizerError(err: unknown): err is SummarizerError {
  return err instanceof SummarizerError;
}

/** Reads a file the session read earlier; undefined when it no longer exists (or is outside the workspace). */
export interface FileReader {
  read(path: string): Promise<string | undefined>;
}

/** Waits `ms`; rejects (or resolves early) when `signal` aborts. Injected so tests are instant. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
