/**
 * Every tunable number of the engine, in one place. Each name carries its unit
 * and each has a one-line reason.
 */

// --- Budget and levels -------------------------------------------------------
/** Output reserve cap: answers rarely exceed this and reserving more wastes the window (Claude Code uses 20k). */
/** The window assumed when a model does not say how large its window is (the extension host's sessions). */
export const FALLBACK_MAX_INPUT_TOKENS = 128_000;
export const OUTPUT_RESERVE_MAX_TOKENS = 20_000;
/** Never reserve more than half the window for output, or tiny windows would have no room for input. */
export const OUTPUT_RESERVE_MAX_FRACTION = 0.5;
/** Warn the user at this share of the effective window (docs/architecture.md default). */
export const DEFAULT_WARN_PERCENT = 70;
/** Auto-compact at this share of the effective window (Copilot's level; Claude Code ≈ 92, Codex 90). */
export const DEFAULT_AUTO_COMPACT_PERCENT = 85;
/** After compaction the context should use at most this share of the effective window. */
export const DEFAULT_TARGET_PERCENT = 40;
/** Auto-compaction stops after this many consecutive failures (circuit breaker, never loops). */
export const MAX_CONSECUTIVE_AUTO_FAILURES = 3;

// --- Token counting ----------------------------------------------------------
/** ChatML framing per message (role marker, separators): what OpenAI's cookbook counts. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** A tool call's framing (id, type, function wrapper) beyond its name and JSON arguments. */
export const TOOL_CALL_OVERHEAD_TOKENS = 8;
/** A tool result's framing (call id, wrapper) beyond its text. */
export const TOOL_RESULT_OVERHEAD_TOKENS = 6;
/** An image without known size: 85 base + 4 tiles × 170 (a 1024×1024 image at high detail, OpenAI pricing). */
export const IMAGE_TOKENS = 85 + 4 * 170;
/** A document reference whose content is not stored: the provider's placeholder framing. */
export const DOCUMENT_TOKENS = 20;
/** The estimate counter: English prose and code average about 4 characters per token. */
export const ESTIMATE_CHARS_PER_TOKEN = 4;
/** tokens/approx.ts: letters per token inside a word (common words are one token, long identifiers a few). */
export const APPROX_CHARS_PER_WORD_TOKEN = 6;
/** Counted texts remembered per counter (LRU); a long session has a few thousand distinct parts. */
export const TOKEN_CACHE_MAX_ENTRIES = 20_000;
/** Texts at most this long are their own cache key; longer ones are keyed by a hash to bound memory. */
export const TOKEN_CACHE_INLINE_KEY_MAX_CHARS = 256;
/** A calibration factor outside this range means the reported usage belongs to another context: ignore it. */
export const CALIBRATION_MIN_FACTOR = 0.5;
export const CALIBRATION_MAX_FACTOR = 2;

// --- Split and tiers ---------------------------------------------------------
/** User turns kept verbatim at the end of the session after a summary. */
export const DEFAULT_KEEP_TAIL_TURNS = 2;
/** Tool results older than this many user turns are masked (observation masking). */
export const DEFAULT_MASK_AFTER_TURNS = 3;
/** The recent tail may use at most this share of the target, so the summary has room (turns mode: forced `extractive`). */
export const TAIL_MAX_FRACTION_OF_TARGET = 0.6;
/** Auto: the summary may claim up to this share of the room before the verbatim tail gets the rest (recent facts live in the tail). */
export const SUMMARY_MAX_FRACTION_OF_ROOM = 0.7;
/** Auto: the pinned requests (first and latest) may push the summary up to this share of the room, never more: the tail needs some. */
export const SUMMARY_PINNED_MAX_FRACTION_OF_ROOM = 0.8;
/** In fill mode a user-turn cut is preferred over a finer tool-round cut when its tail keeps this share of the room. */
export const TURN_CUT_MIN_FILL_FRACTION = 0.85;
/** Room kept for the summary's message framing and counting drift, so auto lands under the target (an extractive summary, fitted by the real counter, is given it back less its framing). */
export const SUMMARY_OVERHEAD_RESERVE_TOKENS = 32;
/** Times the planner rebuilds a summary or truncation that came out over the target, with the overshoot removed. */
export const FIT_MAX_ATTEMPTS = 4;
/** A tool result this small is cheaper to keep than to replace by a stub. */
export const MASK_MIN_RESULT_TOKENS = 40;
/** Tool arguments in a stub are shortened to this many characters. */
export const MASK_ARGS_MAX_CHARS = 100;
/** Smallest useful extractive summary: the user requests and the files touched. */
export const SUMMARY_MIN_TOKENS = 400;
/** Below this a summary cannot even quote a short request under its title: a tiny target is then reported as over. */
export const SUMMARY_FLOOR_TOKENS = 64;
/** Renders of one extractive summary, the last a bare fallback: each is counted once by the real counter, its items being chosen by estimate. */
export const SUMMARY_FIT_MAX_ATTEMPTS = 4;
/** An extractive summary chosen by estimate aims this share under its budget, so a small estimate error still fits. */
export const SUMMARY_FIT_MARGIN_FRACTION = 0.005;
/** An extractive summary this far under its budget, with items left out, is rebuilt once with a room corrected by its count (not to waste room). */
export const SUMMARY_FILL_SLACK_FRACTION = 0.015;
/** Characters of each section's candidates counted to scale its estimate (about 500 tokens: a few ms on a cold counter). */
export const SUMMARY_SCALE_SAMPLE_MAX_CHARS = 2_000;
/** A first or latest request up to this long is counted quoted (exact: a token may decide whether it stays whole); a longer one costs its stored count. */
export const SUMMARY_REQUEST_COUNTED_MAX_CHARS = 2_048;
/** Sizing a summary: candidates estimated at this many times its budget surely do not all fit (no estimate is that far off), so they are not chosen. */
export const SUMMARY_SURELY_OVER_FACTOR = 2;
/** Largest extractive summary: beyond this a summary stops being a summary (the verbatim tail gets the rest). */
export const SUMMARY_MAX_TOKENS = 24_000;
/** A request other than the first and the latest is condensed to this (condenseRequest) when it is huge (a pasted log). */
export const SUMMARY_USER_REQUEST_MAX_TOKENS = 800;
/** Sizing a summary (auto): the first and latest request are at most this share of it, so the facts get the rest. */
export const SUMMARY_REQUESTS_MAX_FRACTION = 0.75;
/** The first request (the task), when a later one exists, is condensed to this share of the summary (its most telling lines, condenseRequest), so the facts keep room… */
export const SUMMARY_FIRST_REQUEST_MAX_FRACTION = 0.6;
/** …and to at most this many tokens (importers mark demonstrations and expanded templates as non-requests: a long first request is the task itself)… */
export const SUMMARY_FIRST_REQUEST_MAX_TOKENS = 2_000;
/** The latest request is condensed (condenseRequest) to this share of the summary when it is longer, so the facts keep some room. */
export const SUMMARY_LATEST_REQUEST_MAX_FRACTION = 0.75;
/** …but a first request up to this size always stays whole: a normal task statement is short. */
export const SUMMARY_FIRST_REQUEST_WHOLE_TOKENS = 256;
/** The requests other than the first and the latest share at most this share of the summary (condensed to fit). */
export const SUMMARY_OTHER_REQUESTS_MAX_FRACTION = 0.4;
/** A request cut to fit keeps at least this much (head and tail), or it is left out with a note. */
export const SUMMARY_REQUEST_MIN_TOKENS = 40;
/** One error, decision or current-work excerpt in the summary is cut to this many characters. */
export const SUMMARY_EXCERPT_MAX_CHARS = 300;
/** Identifiers listed under Key concepts (most frequent first; the budget decides how many are shown). */
export const SUMMARY_MAX_IDENTIFIERS = 2_000;
/** Messages in a session below this count have nothing worth compacting. */
export const MIN_MESSAGES_TO_COMPACT = 2;

// --- Recall ------------------------------------------------------------------
/** The recall tool's name, as the extension registers it and as mask stubs and summaries name it (one place: the stubs are a contract). */
export const RECALL_TOOL_NAME = 'compactor_recall';
/** The line every summary carries (extractive header, LLM summaries after the marker): what was left out can be had back. */
export const RECALL_SUMMARY_NOTE = `Earlier details (tool outputs, files, messages) can be recalled with ${RECALL_TOOL_NAME} by id or search.`;
/** An extractive summary smaller than this leaves the recall note out: every token goes to the requests (the system prompt names the tool anyway). */
export const RECALL_NOTE_MIN_SUMMARY_TOKENS = 1_000;
/** Search hits returned when the caller gives no limit: enough to find a passage, few enough to stay small. */
export const RECALL_DEFAULT_LIMIT = 5;
/** Most hits one search may return. */
export const RECALL_MAX_LIMIT = 20;
/** Characters of one search answer, all hits together (~2K tokens): recall must not refill the window compaction emptied. */
export const RECALL_SEARCH_MAX_CHARS = 8_000;
/** Characters of context around each match in a snippet (either side). */
export const RECALL_SNIPPET_RADIUS_CHARS = 120;
/** Snippet windows per hit (the best-matching passages, in text order). */
export const RECALL_SNIPPETS_PER_HIT = 3;
/** Characters of one recall by id (~15K tokens, as much as a file read); a longer result is cut with a note saying how to search the rest. */
export const RECALL_ID_MAX_CHARS = 60_000;
/** Recall-aware masking: tool results older than this many tool rounds are masked too (the model can recall them exactly). */
export const RECALL_AWARE_MASK_AFTER_ROUNDS = 6;
