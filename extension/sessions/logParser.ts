/**
 * Parses the bytes of a session log (or of the part appended since a known
 * offset) into validated records, and classifies what is wrong with it.
 *
 * The rules, shared by readers and the appender so they never disagree:
 * - Every complete line (ending in `\n`) must be a valid record; the first
 *   non-blank one must be the `session` header and no other line may be one.
 *   Anything else means the file cannot be trusted: `corrupt`.
 * - The bytes after the last `\n` are the tail. A tail that is a valid record
 *   was written whole, only its newline is missing: it is kept. Any other tail
 *   is a torn write (a crash mid-append): skipped with a warning, never fatal.
 * - Blank lines are ignored.
 * Lines are split on raw bytes, so `validBytes` is an exact file offset even
 * when a torn tail cuts a multi-byte character.
 */
import {
  LogRecordSchema,
  type LogRecord,
  type SessionHeader,
  type SessionLog,
} from '../../src/compaction/records';

export type BodyRecord = SessionLog['records'][number];

const NEWLINE = 0x0a;

export interface ParsedLog {
  /** Present when parsing with `expectHeader`. */
  header?: SessionHeader;
  records: BodyRecord[];
  warnings: string[];
  /** Offset (relative to the parsed buffer) just past the last accepted line. */
  validBytes: number;
  /** Byte length of a torn tail that was skipped (0 when none). */
  tornBytes: number;
}

export type ParseResult = { ok: true; log: ParsedLog } | { ok: false; reason: string; line: number };

export type LineResult = { ok: true; record: LogRecord } | { ok: false; reason: string };

/** Parses and validates one line's text. */
export function parseRecordLine(text: string): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = LogRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, reason: `not a valid record${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, record: parsed.data };
}

export interface ParseOptions {
  /** Whole file: the first line must be the header. False for a chunk appended after a known offset. */
  expectHeader: boolean;
  /** Line number of the buffer's first line, for messages (1-based). */
  firstLine?: number;
}

export function parseLogBuffer(buf: Buffer, options: ParseOptions): ParseResult {
  const records: BodyRecord[] = [];
  const warnings: string[] = [];
  let header: SessionHeader | undefined;
  let validBytes = 0;
  let tornBytes = 0;
  let lineNo = (options.firstLine ?? 1) - 1;
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(NEWLINE, start);
    const complete = nl !== -1;
    const end = complete ? nl : buf.length;
    lineNo++;
    const text = buf.toString('utf8', start, end);
    const next = complete ? nl + 1 : buf.length;
    if (text.trim() === '') {
      if (complete) validBytes = next;
      start = next;
      continue;
    }
    const line = parseRecordLine(text);
    if (!line.ok) {
      if (complete) return { ok: false, reason: `line ${lineNo} is ${line.reason}`, line: lineNo };
      tornBytes = end - start;
      warnings.push(`line ${lineNo}: incomplete last line (${tornBytes} bytes) skipped; probably a crash while writing`);
      break;
    }
    const record = line.record;
    if (record.type === 'session') {
      if (!options.expectHeader || header !== undefined || records.length > 0) {
        return { ok: false, reason: `line ${lineNo} is a second session header`, line: lineNo };
      }
      header = record;
    } else {
      if (options.expectHeader && header === undefined) {
        return { ok: false, reason: `the session header is missing (line ${lineNo} is a ${record.type} record)`, line: lineNo };
      }
      records.push(record);
    }
    validBytes = next;
    start = next;
  }
  if (options.expectHeader && header === undefined) {
    return { ok: false, reason: 'the session header is missing (no complete first line)', line: 1 };
  }
  return { ok: true, log: { header, records, warnings, validBytes, tornBytes } };
}
