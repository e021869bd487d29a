/** Bounds on what one tool call may return, so a single result cannot flood the context. */
export const READ_FILE_MAX_CHARS = 60_000; // ~15K tokens: larger files are read in ranges
export const LIST_FOLDER_MAX_ENTRIES = 500;
export const SEARCH_MAX_FILES = 2_000; // files scanned per search
export const SEARCH_MAX_MATCHES = 200;
export const SEARCH_MAX_FILE_BYTES = 1_000_000; // skip larger files (generated, minified)
export const DIAGNOSTICS_MAX = 200;
export const SEARCH_EXCLUDE_GLOB = '**/{node_modules,.git,dist,out,build,.compactor-test}/**';
