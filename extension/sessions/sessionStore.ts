/**
 * The session store: one append-only JSONL log per session in one folder (the
 * extension passes its workspace storage, or global storage without a folder).
 * Plain Node, no `vscode`, so it is unit-testable; the extension wraps it.
 *
 * Folder layout:
 *   <id>.jsonl            the log (header first, then records; see records.ts)
 *   <id>.jsonl.lock       held while one window appends, deletes or quarantines
 *   index.json            user-chosen titles (see sessionIndex.ts for why not in the header)
 *   summaries.cache.json  list() cache, safe to delete
 *   quarantine/           logs that cannot be trusted, and torn fragments cut off before an append
 *
 * Invariants:
 * - Every written record has passed its zod schema; a batch with one bad record writes nothing.
 * - A batch is one `appendFile` of whole lines, under the session's inter-process lock.
 * - Before appending, a torn tail left by a crash is cut off (and saved to
 *   quarantine) so new lines never glue onto a fragment; a whole record that
 *   only misses its newline gets the newline instead. Truncating rather than
 *   just adding a newline keeps every complete line valid, so a torn fragment
 *   can never turn into a "corrupt line in the middle" later.
 * - A line that cannot be read (garbage, a record or part of a type a newer
 *   version wrote, a NUL run) is skipped when reading and left in the file,
 *   reported once as a warning; every good record around it loads
 *   (logParser.ts). Only a log with no readable header is moved to quarantine
 *   (decided again under the lock, so a concurrent append is never mistaken
 *   for corruption) and reported; other sessions load.
 * - Logs are read in chunks, one line at a time, so their size is not bounded
 *   by Node's 2 GiB file read or V8's string limit (only an export as one
 *   string is, with a `too_large` error).
 * - A log object handed out by `open`/`create` remembers how far it was read;
 *   `refresh` adds what another window appended since, and `append` with
 *   `follow` adds foreign records and ours in file order (issue 16: windows
 *   used to keep stale copies and send different contexts).
 */
import { randomUUID } from 'node:crypto';
import { appendFile, link, open as openFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as z from 'zod';
import {
  CompactionRecordSchema,
  LOG_VERSION,
  LogRecordSchema,
  MessageRecordSchema,
  RevertRecordSchema,
  RewindRecordSchema,
  PinRecordSchema,
  SessionHeaderSchema,
  type SessionHeader,
  type SessionLog,
} from '../../src/compaction/records';
import { createTimeSlicer, mapInSlices, type TimeSlicer } from '../../src/compaction/timeSlicer';
import { toMarkdown } from '../../src/compaction/export/markdown';
import { errorCode, LockTimeoutError, withFileLock, type FileLockOptions } from './fileLock';
import { parseLogFile, type ParsedLog, type ParseResult } from './logParser';
import { prepareTailForAppend } from './logTail';
import { SessionStoreError, type QuarantineReport } from './sessionErrors';
import { isValidSessionId, LOG_EXT } from './sessionId';
import { ensureDir, readTitles, updateTitles } from './sessionIndex';
import { SessionLister, type LoadedLog, type SessionListing } from './sessionListing';

export { SessionStoreError, type QuarantineReport } from './sessionErrors';
export type { SessionSummary } from './sessionSummary';
export type { SessionListing } from './sessionListing';
export { isValidSessionId } from './sessionId';

export const QUARANTINE_DIR = 'quarantine';
/** Titles are shown in a list: long enough for a sentence, short enough for one line. */
const MAX_TITLE_CHARS = 200;

export type NewSessionFields = Omit<SessionHeader, 'type' | 'v' | 'id' | 'createdAt'> & {
  id?: string;
  createdAt?: string;
};

export type AppendableRecord =
  | z.input<typeof MessageRecordSchema>
  | z.input<typeof CompactionRecordSchema>
  | z.input<typeof RevertRecordSchema>
  | z.input<typeof RewindRecordSchema>
  | z.input<typeof PinRecordSchema>;

export interface SessionStoreOptions {
  lock?: FileLockOptions;
  now?: () => Date;
  newId?: () => string;
  /** The time slicing of one append (default: SLICE_BUDGET_MS slices, yielding with setImmediate). */
  slicer?: () => TimeSlicer;
  /** Longest line read as a record (logParser MAX_LINE_BYTES); tests pass a small one. */
  maxLineBytes?: number;
  /** Read size when reading a log (logParser READ_CHUNK_BYTES). */
  readChunkBytes?: number;
  /** Largest log `exportJsonl` returns as one string (default MAX_EXPORT_BYTES). */
  maxExportBytes?: number;
}

/** V8 strings top out near 512 MiB (2^29 chars); an export is one string. */
export const MAX_EXPORT_BYTES = 256 * 1024 * 1024;

/** Where a log object handed out by the store was read up to. */
interface ReadPosition {
  id: string;
  ino: number;
  /** The header line's bytes: an inode can be reused by a session deleted and created again. */
  head: Buffer;
  /** File offset just past the last line taken into the log object. */
  offset: number;
}

export interface AppendOptions {
  /**
   * A log object from this store (`open`/`create`) to keep in step: records
   * other windows appended since it was read, then these, are pushed onto it
   * in file order.
   */
  follow?: SessionLog;
}

export interface RefreshResult {
  /** Records added to the log object. */
  added: number;
  /** The file was replaced (deleted and created again): the log object was re-read whole. */
  reread: boolean;
  warnings: string[];
}

export interface OpenedSession {
  /** `header.title` is the current title (a rename in index.json wins over the header). */
  log: SessionLog;
  warnings: string[];
}

export interface AppendResult {
  /** Repairs made before appending (a torn tail cut off). */
  warnings: string[];
}

export class SessionStore {
  /** list() and its cache of summaries (sessionListing.ts). */
  private readonly listing: SessionLister;
  /** How far each handed-out log object was read (for `refresh` and `append({ follow })`). */
  private readonly positions = new WeakMap<SessionLog, ReadPosition>();

  constructor(
    readonly dir: string,
    private readonly options: SessionStoreOptions = {},
  ) {
    this.listing = new SessionLister({ dir, logPath: (id) => this.logPath(id), load: (id) => this.load(id) });
  }

  async create(fields: NewSessionFields = {}): Promise<SessionLog> {
    const id = fields.id ?? this.options.newId?.() ?? randomUUID();
    assertId(id);
    const parsed = SessionHeaderSchema.safeParse({
      ...fields,
      type: 'session',
      v: LOG_VERSION,
      id,
      createdAt: fields.createdAt ?? this.now().toISOString(),
    });
    if (!parsed.success) {
      throw new SessionStoreError('invalid_record', `Invalid session header: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    await ensureDir(this.dir);
    const path = this.logPath(id);
    const data = `${JSON.stringify(parsed.data)}\n`;
    // Write the header aside and hard-link it into place: the link fails if the
    // id is taken, and the log is never visible without its header.
    const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(tmp, data, { flag: 'wx' });
    try {
      await link(tmp, path);
    } catch (err) {
      if (errorCode(err) === 'EEXIST') throw new SessionStoreError('exists', `Session ${id} already exists`);
      // Filesystems without hard links: exclusive create, then write.
      await writeFile(path, data, { flag: 'wx' }).catch((e: unknown) => {
        throw errorCode(e) === 'EEXIST' ? new SessionStoreError('exists', `Session ${id} already exists`) : e;
      });
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    const log: SessionLog = { header: parsed.data, records: [] };
    const st = await stat(path).catch(() => undefined);
    if (st) this.positions.set(log, { id, ino: st.ino, head: Buffer.from(data), offset: Buffer.byteLength(data) });
    return log;
  }

  /** Every session in the folder, newest first (sessionListing.ts). */
  list(): Promise<SessionListing> {
    return this.listing.list();
  }

  async open(id: string): Promise<OpenedSession> {
    const { log, ino } = await this.load(id);
    const { titles } = await readTitles(this.dir);
    const warnings = [...log.warnings];
    if (log.header.id !== id) warnings.push(`the header names session ${log.header.id}; using the file's id ${id}`);
    const title = titles[id] ?? log.header.title;
    const header: SessionHeader = { ...log.header, id, ...(title === undefined ? {} : { title }) };
    const opened: SessionLog = { header, records: log.records };
    this.positions.set(opened, { id, ino, head: await readHeadLine(this.logPath(id)), offset: log.validBytes });
    return { log: opened, warnings };
  }

  /**
   * Brings a log object from `open`/`create` up to date with its file: the
   * records another window appended since it was read are pushed onto it (one
   * stat when nothing changed). Appends are only appends, so only the new
   * bytes are read; a file that was replaced is re-read whole.
   */
  async refresh(log: SessionLog): Promise<RefreshResult> {
    const pos = this.positions.get(log);
    if (!pos) return { added: 0, reread: false, warnings: [] };
    let st;
    try {
      st = await stat(this.logPath(pos.id));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new SessionStoreError('not_found', `Session ${pos.id} does not exist`);
      throw err;
    }
    if (st.size === pos.offset && st.ino === pos.ino) return { added: 0, reread: false, warnings: [] };
    if (st.ino !== pos.ino || st.size < pos.offset || !(await readHeadLine(this.logPath(pos.id))).equals(pos.head)) {
      const fresh = await this.open(pos.id);
      log.header = fresh.log.header;
      log.records = fresh.log.records; // a new array: a UsageTracker re-folds
      this.positions.set(log, this.positions.get(fresh.log) ?? pos);
      return { added: fresh.log.records.length, reread: true, warnings: fresh.warnings };
    }
    const { records, validBytes, warnings } = await this.readBody(pos.id, pos.offset, st.size);
    log.records.push(...records);
    pos.offset += validBytes;
    return { added: records.length, reread: false, warnings };
  }

  /** Moves the read position of `from` (a log of this store) to `to`, a copy that replaces it. */
  adopt(from: SessionLog, to: SessionLog): void {
    const pos = this.positions.get(from);
    if (pos) this.positions.set(to, { ...pos });
  }

  /**
   * Validates every record, then writes them as one append under the session
   * lock. A large batch (an imported transcript) is validated and encoded in
   * time slices, so the extension host keeps answering meanwhile (one 2 MB
   * string would be encoded to UTF-8 in one go by `appendFile`).
   */
  async append(id: string, records: readonly AppendableRecord[], options: AppendOptions = {}): Promise<AppendResult> {
    assertId(id);
    const lines = await mapInSlices(
      records,
      (record, i) => {
        const parsed = LogRecordSchema.safeParse(record);
        if (!parsed.success || parsed.data.type === 'session') {
          const why = parsed.success ? 'a session header cannot be appended' : describeIssue(parsed.error);
          throw new SessionStoreError('invalid_record', `Record ${i} was not written (nor were the others): ${why}`);
        }
        return Buffer.from(`${JSON.stringify(parsed.data)}\n`, 'utf8');
      },
      this.options.slicer?.() ?? createTimeSlicer(),
    );
    if (lines.length === 0) return { warnings: [] };
    const follow = options.follow;
    const pos = follow ? this.positions.get(follow) : undefined;
    const path = this.logPath(id);
    const done = await this.locked(id, async () => {
      const { prefix, warnings } = await prepareTailForAppend(path, id, {
        quarantineDir: join(this.dir, QUARANTINE_DIR),
        stamp: this.stamp(),
        ...(this.options.maxLineBytes ? { maxLineBytes: this.options.maxLineBytes } : {}),
      });
      const data = Buffer.concat([Buffer.from(prefix, 'utf8'), ...lines]);
      // Under the lock the file only changes by our write: what lies between
      // the follower's position and here was appended by other windows.
      let foreign: { records: SessionLog['records']; warnings: string[] } | undefined;
      let start = 0;
      if (pos) {
        const st = await stat(path);
        start = st.size;
        if (st.ino === pos.ino && pos.offset <= start) foreign = await this.readBody(id, pos.offset, start);
      }
      await appendFile(path, data);
      return { warnings, foreign, end: start + data.length };
    });
    if (follow && pos) {
      if (done.foreign) {
        follow.records.push(...done.foreign.records, ...(records as SessionLog['records']));
        pos.offset = done.end;
        done.warnings.push(...done.foreign.warnings);
      } else {
        await this.refresh(follow); // replaced meanwhile: re-read whole (our records included)
      }
    } else if (follow) {
      follow.records.push(...(records as SessionLog['records']));
    }
    return { warnings: done.warnings };
  }

  async rename(id: string, title: string): Promise<void> {
    assertId(id);
    const clean = title.replace(/\s+/g, ' ').trim();
    if (clean === '' || clean.length > MAX_TITLE_CHARS) {
      throw new SessionStoreError('invalid_title', `A title needs 1 to ${MAX_TITLE_CHARS} characters`);
    }
    await this.assertExists(id);
    await this.lockedIndex((titles) => {
      titles[id] = clean;
    });
  }

  /** Deletes the log for good (asking the user first is the UI's job). */
  async delete(id: string): Promise<void> {
    assertId(id);
    await this.locked(id, async () => {
      try {
        await unlink(this.logPath(id));
      } catch (err) {
        if (errorCode(err) === 'ENOENT') throw new SessionStoreError('not_found', `Session ${id} does not exist`);
        throw err;
      }
    });
    await this.forget(id);
  }

  /**
   * The log's readable lines as JSONL (a torn tail and unreadable lines left
   * out), its header carrying the current title. One string, so a log over
   * `maxExportBytes` is a `too_large` error rather than a crash.
   */
  async exportJsonl(id: string): Promise<string> {
    const { size, log } = await this.load(id);
    const limit = this.options.maxExportBytes ?? MAX_EXPORT_BYTES;
    if (size > limit) {
      throw new SessionStoreError('too_large', `Session ${id} is ${size} bytes; an export as one file is limited to ${limit} bytes`);
    }
    const buf = await readBytes(this.logPath(id), 0, log.validBytes);
    const kept: Buffer[] = [];
    let at = 0;
    for (const skip of log.skipped) {
      kept.push(buf.subarray(at, skip.start));
      at = skip.end;
    }
    kept.push(buf.subarray(at));
    let text = Buffer.concat(kept).toString('utf8').replace(/\0+/g, '');
    if (!text.endsWith('\n')) text += '\n';
    const { titles } = await readTitles(this.dir);
    const title = titles[id];
    if (title === undefined) return text;
    const headerLine = /^\s*[^\n]*\n/.exec(text)?.[0] ?? '';
    return `${JSON.stringify({ ...log.header, title })}\n${text.slice(headerLine.length)}`;
  }

  async exportMarkdown(id: string): Promise<string> {
    const { log } = await this.open(id);
    return toMarkdown(log);
  }

  logPath(id: string): string {
    return join(this.dir, `${id}${LOG_EXT}`);
  }

  // --- internals ---------------------------------------------------------

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withFileLock(`${this.logPath(id)}.lock`, fn, this.options.lock);
    } catch (err) {
      if (err instanceof LockTimeoutError) throw new SessionStoreError('lock_timeout', err.message, { cause: err });
      throw err;
    }
  }

  private async lockedIndex(change: (titles: Record<string, string>) => void): Promise<void> {
    try {
      await updateTitles(this.dir, change, this.options.lock);
    } catch (err) {
      if (err instanceof LockTimeoutError) throw new SessionStoreError('lock_timeout', err.message, { cause: err });
      throw err;
    }
  }

  private async assertExists(id: string): Promise<void> {
    try {
      await stat(this.logPath(id));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new SessionStoreError('not_found', `Session ${id} does not exist`);
      throw err;
    }
  }

  private async readAndParse(id: string): Promise<{ size: number; ino: number; result: ParseResult }> {
    try {
      return await parseLogFile(this.logPath(id), {
        expectHeader: true,
        ...(this.options.maxLineBytes ? { maxLineBytes: this.options.maxLineBytes } : {}),
        ...(this.options.readChunkBytes ? { chunkBytes: this.options.readChunkBytes } : {}),
      });
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new SessionStoreError('not_found', `Session ${id} does not exist`);
      throw err;
    }
  }

  /** The body records in [from, to) of a log (appended after a known offset). */
  private async readBody(id: string, from: number, to: number): Promise<{ records: SessionLog['records']; validBytes: number; warnings: string[] }> {
    const { result } = await parseLogFile(this.logPath(id), {
      expectHeader: false,
      from,
      to,
      ...(this.options.maxLineBytes ? { maxLineBytes: this.options.maxLineBytes } : {}),
      ...(this.options.readChunkBytes ? { chunkBytes: this.options.readChunkBytes } : {}),
    });
    if (!result.ok) return { records: [], validBytes: 0, warnings: [result.reason] }; // unreachable without expectHeader
    return { records: result.log.records, validBytes: result.log.validBytes, warnings: result.log.warnings };
  }

  /** Reads and validates a whole log; one with no readable header is quarantined and reported as a `corrupt` error. */
  private async load(id: string): Promise<LoadedLog> {
    assertId(id);
    const first = await this.readAndParse(id);
    if (first.result.ok) return { size: first.size, ino: first.ino, log: withHeader(first.result.log) };
    const outcome = await this.locked(id, async (): Promise<LoadedLog | QuarantineReport> => {
      const again = await this.readAndParse(id);
      if (again.result.ok) return { size: again.size, ino: again.ino, log: withHeader(again.result.log) };
      return this.moveToQuarantine(id, again.result.reason);
    });
    if ('log' in outcome) return outcome;
    await this.forget(id);
    throw new SessionStoreError('corrupt', `Session ${id} cannot be trusted (${outcome.reason}); moved to ${outcome.to}`, {
      quarantine: outcome,
    });
  }

  private async moveToQuarantine(id: string, reason: string): Promise<QuarantineReport> {
    const qdir = join(this.dir, QUARANTINE_DIR);
    await ensureDir(qdir);
    const from = this.logPath(id);
    const to = join(qdir, `${id}${LOG_EXT}.${this.stamp()}`);
    await rename(from, to);
    return { id, from, to, reason };
  }

  /** Drops what the folder knows about a session that is gone (deleted or quarantined). */
  private async forget(id: string): Promise<void> {
    this.listing.forget(id);
    const { titles } = await readTitles(this.dir);
    if (titles[id] === undefined) return;
    await this.lockedIndex((titles) => {
      delete titles[id];
    });
  }

  /** A file-name-safe timestamp. */
  private stamp(): string {
    return this.now().toISOString().replace(/[:.]/g, '-');
  }
}

/** The first line of a log with its newline (at most 64 KiB: enough to tell two headers apart). */
async function readHeadLine(path: string): Promise<Buffer> {
  const buf = await readBytes(path, 0, 64 * 1024);
  const nl = buf.indexOf(0x0a);
  return Buffer.from(nl === -1 ? buf : buf.subarray(0, nl + 1));
}

/** Bytes [start, end) of a file. */
async function readBytes(path: string, start: number, end: number): Promise<Buffer> {
  const fh = await openFile(path, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, end - start));
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function assertId(id: string): void {
  if (!isValidSessionId(id)) throw new SessionStoreError('invalid_id', `Not a valid session id: ${JSON.stringify(id)}`);
}

function withHeader(log: ParsedLog): ParsedLog & { header: SessionHeader } {
  if (!log.header) throw new Error('parseLogFile returned no header with expectHeader'); // unreachable by its contract
  return log as ParsedLog & { header: SessionHeader };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue?.message ?? 'invalid'}`;
}
