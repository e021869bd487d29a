/**
 * Session ids become file names and come back from chat metadata, so they are
 * never trusted as paths: letters, digits, `_` and `-` only, at most 128.
 */
/** A session's log is the file `<id>.jsonl`. */
export const LOG_EXT = '.jsonl';

export const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function isValidSessionId(id: string): boolean {
  return SESSION_ID_PATTERN.test(id);
}
