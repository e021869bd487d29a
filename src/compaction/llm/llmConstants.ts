/**
 * Tunable numbers of the LLM pipeline (kept here, next to it, because
 * ../constants.ts belongs to the deterministic tiers). Each name carries its
 * unit and each has a one-line reason.
 */

/** Marks a summary written by this pipeline, so a later compaction updates it instead of summarizing it. */
export const SUMMARY_MARKER = '[Context Compactor summary v1]';

/** "Prompt too long": drop rounds and retry at most this many times, then fall back to the extractive summary (docs/architecture.md). */
export const PROMPT_TOO_LONG_MAX_RETRIES = 3;
/** Without a reported gap, each retry drops this share of the remaining rounds (Claude Code's rule). */
export const PROMPT_TOO_LONG_DROP_FRACTION = 0.2;
/** Transient failures (rate limit, overload) are retried at most this many times. */
export const TRANSIENT_MAX_RETRIES = 3;
/** First backoff pause; doubled on each retry. */
export const TRANSIENT_BACKOFF_BASE_MS = 1_000;
/** Backoff never waits longer than this, so a manual /compact stays responsive. */
export const TRANSIENT_BACKOFF_MAX_MS = 8_000;

/** The summary's answer budget: room for the analysis scratchpad plus a full summary (Claude Code asks for up to 20k). */
export const SUMMARY_OUTPUT_MAX_TOKENS = 16_000;
/** Never ask for more than this share of the summary model's window as output. */
export const SUMMARY_OUTPUT_MAX_FRACTION_OF_WINDOW = 0.25;
/** Room kept in the summarizer's window for the instructions, previous summary framing and counting drift. */
export const SUMMARY_PROMPT_RESERVE_TOKENS = 2_000;
/** A single tool result in the transcript is cut (head and tail kept) to this; results are the least useful part of a summary's input. */
export const TRANSCRIPT_TOOL_RESULT_MAX_TOKENS = 2_000;
/** A dropped user request is quoted in the drop marker, cut to this. */
export const DROPPED_REQUEST_MAX_TOKENS = 200;

/** Restore tier (docs/architecture.md): at most this many recently read files are re-attached… */
export const RESTORE_MAX_FILES = 5;
/** …each cut to this many tokens… */
export const RESTORE_FILE_MAX_TOKENS = 5_000;
/** …and all of them together within this. */
export const RESTORE_TOTAL_MAX_TOKENS = 50_000;
/** The plan/todo state re-attached after a summary is cut to this. */
export const RESTORE_TODO_MAX_TOKENS = 2_000;
