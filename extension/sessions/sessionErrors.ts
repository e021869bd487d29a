/** Named failures of the session store, so callers can react to each (not parse messages). */

export type SessionErrorCode =
  /** The id is not a safe file name (ids come from chat metadata: never trust them as paths). */
  | 'invalid_id'
  /** A record failed its zod schema; nothing was written. */
  | 'invalid_record'
  | 'invalid_title'
  | 'not_found'
  | 'exists'
  /** The log cannot be trusted; it has been moved to quarantine (see `quarantine`). */
  | 'corrupt'
  /** Another window held the session's lock for too long; nothing was written. */
  | 'lock_timeout'
  /** The log is too large for the operation asked (an export as one string); the log is unchanged. */
  | 'too_large';

/** A log moved aside because it cannot be trusted. */
export interface QuarantineReport {
  id: string;
  /** Where the log was. */
  from: string;
  /** Where it is now (`<dir>/quarantine/<id>.jsonl.<timestamp>`). */
  to: string;
  reason: string;
}

export class SessionStoreError extends Error {
  constructor(
    readonly code: SessionErrorCode,
    message: string,
    readonly details: { quarantine?: QuarantineReport; cause?: unknown } = {},
  ) {
    super(message);
    this.name = 'SessionStoreError';
  }
}
