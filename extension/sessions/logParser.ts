/**
 * Parses the bytes of a session log (or of the part appended since a known
 * offset) into validated records, and says what it could not read.
 *
 * The rules, shared by readers and the appender so they never disagree:
 * - The first readable record must be the `session` header; a file with none
 *   (or with a body record first) is `corrupt`: the only fatal case.
 * - Every other line that cannot be read (not JSON, fails its schema, a second
 *   header, longer than the line limit) is skipped: left in the file, left out
 *   of the session, and reported once in a summary warning. Acknowledged
 *   records after it still load (issue 16: one bad line used to quarantine
 *   the whole session).
 * - A record of a type this version does not know (written by a newer one),
 *   or a message part of an unknown type, is kept in the file and ignored in
 *   the fold. A header with a newer `v` loads what this version understands.
 * - A UTF-8 BOM and runs of NUL bytes around a line (left by some filesystems
 *   after a power loss) are ignored.
 * - The bytes after the last `\n` are the tail. A tail that is a whole JSON
 *   object was written whole, only its newline is missing: it counts as a
 *   line. Any other tail is a torn write (a crash mid-append): skipped with a
 *   warning, never fatal.
 * Lines are split on raw bytes, so offsets are exact file offsets even when a
 * torn tail cuts a multi-byte character. `LogLineParser` takes one line at a
 * time, so a log is read in chunks and never needs to fit in one string.
 */
import { open } from 'node:fs/promises';
import {
  LOG_VERSION,
  LogRecordSchema,
  PartSchema,
  type LogRecord,
  type SessionHeader,
  type SessionLog,
} from '../../src/compaction/records';

export type BodyRecord = SessionLog['records'][number];

const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/**
 * Longest line read as a record. V8 strings top out near 512 MiB; no record
 * the extension writes comes near this. Longer lines are skipped (kept on disk).
 */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;
/** Read size when streaming a log from disk. */
export const READ_CHUNK_BYTES = 1024 * 1024;
/** How many skipped lines a warning names before "…". */
const NAMED_SKIPS = 3;

const KNOWN_RECORD_TYPES = new Set<string>(LogRecordSchema.options.map((o) => o.shape.type.value));
const KNOWN_PART_TYPES = new Set<string>(PartSchema.options.map((o) => o.shape.type.value));

export interface ParsedLog {
  /** Present when parsing with `expectHeader`. */
  header?: SessionHeader;
  records: BodyRecord[];
  /** At most a few summary lines (skipped lines, unknown types, a newer version, a torn tail). */
  warnings: string[];
  /** Offset (relative to the parsed bytes) just past the last line taken (read or skipped). */
  validBytes: number;
  /** Byte length of a torn tail that was skipped (0 when none). */
  tornBytes: number;
  /** Byte ranges [start, end) of lines that could not be read (and of a BOM), left out of an export. */
  skipped: { start: number; end: number }[];
}

export type ParseResult = { ok: true; log: ParsedLog } | { ok: false; reason: string; line: number };

export type LineResult =
  | { ok: true; record: LogRecord; note?: string }
  | { ok: false; reason: string; unknownType?: string };

/** A line's text without a BOM or NUL runs around it. */
function cleanLine(text: string): string {
  return text.replace(/^[\uFEFF\0]+/, '').replace(/\0+$/, '');
}

/** True when the text is a whole JSON object (a record whose newline is missing). */
export function isWholeJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(cleanLine(text));
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Parses and validates one line's text, salvaging what a newer version added. */
export function parseRecordLine(text: string): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(cleanLine(text));
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'not a JSON object' };
  const type = (json as { type?: unknown }).type;
  if (typeof type === 'string' && !KNOWN_RECORD_TYPES.has(type)) {
    return { ok: false, reason: `a record of unknown type "${type.slice(0, 40)}"`, unknownType: type.slice(0, 40) };
  }
  const parsed = LogRecordSchema.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  const salvaged = salvage(json as Record<string, unknown>);
  if (salvaged) {
    const again = LogRecordSchema.safeParse(salvaged.json);
    if (again.success) return { ok: true, record: again.data, note: salvaged.note };
  }
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, reason: `not a valid record${where}: ${issue?.message ?? 'invalid'}` };
}

/**
 * What a newer version may add that this one can ignore: a header with a
 * higher `v` (read as this version), message parts of unknown types (left out).
 */
function salvage(json: Record<string, unknown>): { json: Record<string, unknown>; note: string } | undefined {
  if (json.type === 'session' && typeof json.v === 'number' && Number.isInteger(json.v) && json.v > LOG_VERSION) {
    return { json: { ...json, v: LOG_VERSION }, note: `newer:${json.v}` };
  }
  const dropParts = (parts: unknown): { parts: unknown; dropped: number } => {
    if (!Array.isArray(parts)) return { parts, dropped: 0 };
    const kept = parts.filter((p) => !(typeof p === 'object' && p !== null && typeof (p as { type?: unknown }).type === 'string' && !KNOWN_PART_TYPES.has((p as { type: string }).type)));
    return { parts: kept, dropped: parts.length - kept.length };
  };
  if (json.type === 'message') {
    const { parts, dropped } = dropParts(json.parts);
    if (dropped > 0) return { json: { ...json, parts }, note: `parts:${dropped}` };
  }
  if (json.type === 'compaction' && Array.isArray(json.replaced)) {
    let total = 0;
    const replaced = json.replaced.map((r: unknown) => {
      if (typeof r !== 'object' || r === null) return r;
      const { parts, dropped } = dropParts((r as { parts?: unknown }).parts);
      total += dropped;
      return { ...r, parts };
    });
    if (total > 0) return { json: { ...json, replaced }, note: `parts:${total}` };
  }
  return undefined;
}

export interface ParseOptions {
  /** Whole file: the first readable record must be the header. False for a chunk appended after a known offset. */
  expectHeader: boolean;
  /** Line number of the first line, for messages (1-based). */
  firstLine?: number;
  /** Longest line parsed (default MAX_LINE_BYTES); tests pass a small one. */
  maxLineBytes?: number;
}

/** Takes a log one line at a time (as read in chunks) and folds it into a ParseResult. */
export class LogLineParser {
  readonly maxLineBytes: number;
  private readonly records: BodyRecord[] = [];
  private header: SessionHeader | undefined;
  private validBytes = 0;
  private tornBytes = 0;
  private lineNo: number;
  private readonly skipped: { start: number; end: number }[] = [];
  private readonly skipNotes: string[] = [];
  private readonly unknownTypes = new Map<string, number>();
  private droppedParts = 0;
  private skipCount = 0;
  private newerVersion: number | undefined;
  private tornWarning: string | undefined;
  private failure: { reason: string; line: number } | undefined;

  constructor(private readonly options: ParseOptions) {
    this.lineNo = (options.firstLine ?? 1) - 1;
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  /** The parse already failed (no header): later lines change nothing. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /**
   * One line at [start, end) of the file, without its newline (`complete`:
   * a newline follows). `bytes` is undefined when the line is longer than
   * `maxLineBytes` and was not kept.
   */
  line(bytes: Buffer | undefined, start: number, end: number, complete: boolean): void {
    if (this.failure) return;
    this.lineNo++;
    const next = complete ? end + 1 : end;
    if (bytes === undefined) {
      if (!complete) return this.torn(end - start);
      this.skip(start, next, `longer than the ${this.maxLineBytes}-byte line limit`);
      return;
    }
    const text = bytes.toString('utf8');
    if (cleanLine(text).trim() === '') {
      if (complete) this.validBytes = next;
      return;
    }
    if (!complete && !isWholeJsonObject(text)) return this.torn(end - start);
    const line = parseRecordLine(text);
    if (!line.ok) {
      if (line.unknownType !== undefined && (this.header !== undefined || !this.options.expectHeader)) {
        this.unknownTypes.set(line.unknownType, (this.unknownTypes.get(line.unknownType) ?? 0) + 1);
        this.validBytes = next;
        return;
      }
      this.skip(start, next, line.reason);
      return;
    }
    if (line.note?.startsWith('newer:')) this.newerVersion = Number(line.note.slice(6));
    if (line.note?.startsWith('parts:')) this.droppedParts += Number(line.note.slice(6));
    const record = line.record;
    if (record.type === 'session') {
      if (!this.options.expectHeader || this.header !== undefined) {
        this.skip(start, next, 'a second session header');
        return;
      }
      this.header = record;
    } else {
      if (this.options.expectHeader && this.header === undefined) {
        this.failure = { reason: `the session header is missing (line ${this.lineNo} is a ${record.type} record)`, line: this.lineNo };
        return;
      }
      this.records.push(record);
    }
    this.validBytes = next;
  }

  result(): ParseResult {
    if (this.failure) return { ok: false, ...this.failure };
    if (this.options.expectHeader && this.header === undefined) {
      const why = this.skipNotes.length ? `no readable header (${this.skipNotes[0]})` : 'the session header is missing (no complete first line)';
      return { ok: false, reason: why, line: 1 };
    }
    return {
      ok: true,
      log: {
        ...(this.header ? { header: this.header } : {}),
        records: this.records,
        warnings: this.warnings(),
        validBytes: this.validBytes,
        tornBytes: this.tornBytes,
        skipped: this.skipped,
      },
    };
  }

  private skip(start: number, next: number, reason: string): void {
    this.skipCount++;
    this.skipped.push({ start, end: next });
    if (this.skipNotes.length < NAMED_SKIPS) this.skipNotes.push(`line ${this.lineNo}: ${reason}`);
    this.validBytes = next;
  }

  private torn(bytes: number): void {
    this.tornBytes = bytes;
    this.tornWarning = `line ${this.lineNo}: incomplete last line (${bytes} bytes) skipped; probably a crash while writing`;
  }

  /** One summary line per kind of problem, so a log says so once rather than once per line. */
  private warnings(): string[] {
    const out: string[] = [];
    const count = this.skipCount;
    if (count > 0) {
      const more = count > this.skipNotes.length ? '; …' : '';
      out.push(`skipped ${count} unreadable line${count === 1 ? '' : 's'} (${this.skipNotes.join('; ')}${more}); kept in the file, left out of the session`);
    }
    if (this.unknownTypes.size > 0) {
      const n = [...this.unknownTypes.values()].reduce((a, b) => a + b, 0);
      const types = [...this.unknownTypes.keys()].slice(0, 5).join(', ');
      out.push(`ignored ${n} record${n === 1 ? '' : 's'} of types this version does not know (${types}); kept in the file`);
    }
    if (this.droppedParts > 0) out.push(`left out ${this.droppedParts} message part${this.droppedParts === 1 ? '' : 's'} of unknown types; kept in the file`);
    if (this.newerVersion !== undefined) {
      out.push(`written by a newer version of the extension (log v${this.newerVersion}; this one reads v${LOG_VERSION}): loaded what this version understands, the file is unchanged`);
    }
    if (this.tornWarning) out.push(this.tornWarning);
    return out;
  }

  /** A BOM at offset 0 (not a line: no warning). */
  markBom(): void {
    this.skipped.push({ start: 0, end: BOM.length });
    this.validBytes = BOM.length;
  }
}

/** Feeds a buffer's lines to a parser. */
function feed(parser: LogLineParser, buf: Buffer, expectHeader: boolean): void {
  let start = 0;
  if (expectHeader && buf.subarray(0, BOM.length).equals(BOM)) {
    parser.markBom();
    start = BOM.length;
  }
  while (start < buf.length && !parser.failed) {
    const nl = buf.indexOf(NEWLINE, start);
    const complete = nl !== -1;
    const end = complete ? nl : buf.length;
    const bytes = end - start > parser.maxLineBytes ? undefined : buf.subarray(start, end);
    parser.line(bytes, start, end, complete);
    start = complete ? nl + 1 : buf.length;
  }
}

export function parseLogBuffer(buf: Buffer, options: ParseOptions): ParseResult {
  const parser = new LogLineParser(options);
  feed(parser, buf, options.expectHeader);
  return parser.result();
}

export interface FileParseOptions extends ParseOptions {
  /** Byte offset to start at (0 for a whole log). */
  from?: number;
  /** Byte offset to stop at (default: the file's size when reading starts). */
  to?: number;
  /** Read size (default READ_CHUNK_BYTES). */
  chunkBytes?: number;
}

/**
 * Parses a log straight from disk in chunks, so a log of any size (over
 * 2 GiB, where `readFile` throws) is read without one whole-file buffer or
 * string; only one line at a time is held (at most `maxLineBytes`). Offsets in
 * the result are relative to `from`; `size` is where reading stopped.
 */
export async function parseLogFile(path: string, options: FileParseOptions): Promise<{ result: ParseResult; size: number; ino: number }> {
  const parser = new LogLineParser(options);
  const from = options.from ?? 0;
  const chunkBytes = Math.max(1, options.chunkBytes ?? READ_CHUNK_BYTES);
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    const fileSize = Math.min(st.size, options.to ?? st.size);
    const chunk = Buffer.alloc(Math.min(chunkBytes, Math.max(1, fileSize - from)));
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let oversize = false;
    let lineStart = 0;
    let pos = from;
    if (from === 0 && options.expectHeader && fileSize >= BOM.length) {
      const head = Buffer.alloc(BOM.length);
      await fh.read(head, 0, BOM.length, 0);
      if (head.equals(BOM)) {
        parser.markBom();
        pos = lineStart = BOM.length;
      }
    }
    while (pos < fileSize && !parser.failed) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, fileSize - pos), pos);
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      const offset = pos - from;
      pos += bytesRead;
      let i = 0;
      while (i < data.length && !parser.failed) {
        const nl = data.indexOf(NEWLINE, i);
        const piece = data.subarray(i, nl === -1 ? data.length : nl);
        if (!oversize) {
          if (pendingBytes + piece.length > parser.maxLineBytes) {
            oversize = true;
            pending = [];
          } else pending.push(Buffer.from(piece));
        }
        pendingBytes += piece.length;
        if (nl === -1) break;
        parser.line(oversize ? undefined : Buffer.concat(pending, pendingBytes), lineStart, lineStart + pendingBytes, true);
        lineStart = offset + nl + 1;
        pending = [];
        pendingBytes = 0;
        oversize = false;
        i = nl + 1;
      }
    }
    if (pendingBytes > 0 && !parser.failed) {
      parser.line(oversize ? undefined : Buffer.concat(pending, pendingBytes), lineStart, lineStart + pendingBytes, false);
    }
    return { result: parser.result(), size: pos, ino: st.ino };
  } finally {
    await fh.close();
  }
}
