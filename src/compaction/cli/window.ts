/** Which context window the CLI measures against. */
import { budgetFor, type Budget } from '../budget';
import type { SessionLog } from '../records';

/**
 * Used when neither `--window` nor the transcript says: 128k is the window of
 * GPT-4o and of most models VS Code's language-model API offers, and the
 * smallest of today's common agent models (Claude models have 200k).
 */
export const DEFAULT_WINDOW_TOKENS = 128_000;

export function budgetForCli(log: SessionLog, window: number | undefined): Budget {
  const model = log.header.model;
  return budgetFor({
    maxInputTokens: window ?? model?.maxInputTokens ?? DEFAULT_WINDOW_TOKENS,
    ...(model?.maxOutputTokens !== undefined ? { maxOutputTokens: model.maxOutputTokens } : {}),
  });
}
