/**
 * Classifies a failed summary request into a SummarizerError kind. Pure (no
 * vscode import) so it is unit-tested; lmSummarizer.ts feeds it what
 * `vscode.LanguageModelError` and plain errors carry.
 */
import type { SummarizerErrorKind } from '../../src/compaction/llm/summarizer';

export interface ModelFailureInfo {
  /** `LanguageModelError.code` when it is one (`NoPermissions`, `Blocked`, `NotFound`, or a provider's code). */
  code?: string;
  message: string;
  /** The request was cancelled (token or signal). */
  cancelled: boolean;
}

const TOO_LONG = /too long|context[_ ]length|context window|maximum context|token limit|too many tokens|exceeds? the (?:max|limit)|input is too large|prompt is too large|request too large/i;
const TRANSIENT = /rate.?limit|\b429\b|overload|\b529\b|\b50[234]\b|timed? ?out|timeout|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up|network|temporar|try again|unavailable/i;
const REFUSED_CODES = new Set(['NoPermissions', 'Blocked', 'NotFound']);

/** Tokens over the limit, when the message says both numbers ("… 210000 tokens > 200000 maximum", "maximum context length is 128000 tokens … resulted in 130500 tokens"). */
export function reportedGapTokens(message: string): number | undefined {
  const over = /(\d[\d,]*)\s*tokens?\s*>\s*(\d[\d,]*)/i.exec(message);
  const num = (s: string | undefined) => Number((s ?? '').replace(/,/g, ''));
  if (over) {
    const gap = num(over[1]) - num(over[2]);
    return gap > 0 ? gap : undefined;
  }
  const limit = /maximum context length is (\d[\d,]*)/i.exec(message);
  const actual = /(?:resulted in|requested|you requested|prompt has|contains?) (\d[\d,]*) tokens/i.exec(message);
  if (limit && actual) {
    const gap = num(actual[1]) - num(limit[1]);
    return gap > 0 ? gap : undefined;
  }
  return undefined;
}

export function classifyModelFailure(info: ModelFailureInfo): { kind: SummarizerErrorKind; gapTokens?: number } {
  if (info.cancelled) return { kind: 'aborted' };
  if (info.code && REFUSED_CODES.has(info.code)) return { kind: 'model_error' };
  if (TOO_LONG.test(info.message)) {
    const gapTokens = reportedGapTokens(info.message);
    return gapTokens === undefined ? { kind: 'prompt_too_long' } : { kind: 'prompt_too_long', gapTokens };
  }
  if (TRANSIENT.test(info.message)) return { kind: 'transient' };
  return { kind: 'model_error' };
}
