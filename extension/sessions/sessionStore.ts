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
 * - A log whose complete lines do not all validate, or whose header is missing,
 *   is moved to quarantine (decided again under the lock, so a concurrent
 *   append is never mistaken for corruption) and reported; other sessions load.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
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
import { errorCode, LockTimeoutError, withFileLock, type FileLockOptions } from './fileLock';
import { parseLogBuffer, type ParsedLog } from './logParser';
import { prepareTailForAppend } from './logTail';
import { renderSessionMarkdown } from './markdownExport';
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
    return { header: parsed.data, records: [] };
  }

  /** Every session in the folder, newest first (sessionListing.ts). */
  list(): Promise<SessionListing> {
    return this.listing.list();
  }

  async open(id: string): Promise<OpenedSession> {
    const { log } = await this.load(id);
    const { titles } = await readTitles(this.dir);
    const warnings = [...log.warnings];
    if (log.header.id !== id) warnings.push(`the header names session ${log.header.id}; using the file's id ${id}`);
    const title = titles[id] ?? log.header.title;
    const header: SessionHeader = { ...log.header, id, ...(title === undefined ? {} : { title }) };
    return { log: { header, records: log.records }, warnings };
  }

  /**
   * Validates every record, then writes them as one append under the session
   * lock. A large batch (an imported transcript) is validated and encoded in
   * time slices, so the extension host keeps answering meanwhile (one 2 MB
   * string would be encoded to UTF-8 in one go by `appendFile`).
   */
  async append(id: string, records: readonly AppendableRecord[]): Promise<AppendResult> {
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
    return this.locked(id, async () => {
      const { prefix, warnings } = await prepareTailForAppend(this.logPath(id), id, {
        quarantineDir: join(this.dir, QUARANTINE_DIR),
        stamp: this.stamp(),
      });
      await appendFile(this.logPath(id), Buffer.concat([Buffer.from(prefix, 'utf8'), ...lines]));
      return { warnings };
    });
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

  /** The log's valid lines as JSONL (a torn tail left out), its header carrying the current title. */
  async exportJsonl(id: string): Promise<string> {
    const { buf, log } = await this.load(id);
    let text = buf.toString('utf8', 0, log.validBytes);
    if (!text.endsWith('\n')) text += '\n';
    const { titles } = await readTitles(this.dir);
    const title = titles[id];
    if (title === undefined) return text;
    const headerLine = /^\s*[^\n]*\n/.exec(text)?.[0] ?? '';
    return `${JSON.stringify({ ...log.header, title })}\n${text.slice(headerLine.length)}`;
  }

  async exportMarkdown(id: string): Promise<string> {
    const { log } = await this.open(id);
    return renderSessionMarkdown(log);
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

  private async readAndParse(id: string): Promise<{ buf: Buffer; result: ReturnType<typeof parseLogBuffer> }> {
    let buf: Buffer;
    try {
      buf = await readFile(this.logPath(id));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new SessionStoreError('not_found', `Session ${id} does not exist`);
      throw err;
    }
    return { buf, result: parseLogBuffer(buf, { expectHeader: true }) };
  }

  /** Reads and validates a whole log; a corrupt one is quarantined and reported as a `corrupt` error. */
  private async load(id: string): Promise<LoadedLog> {
    assertId(id);
    const first = await this.readAndParse(id);
    if (first.result.ok) return { buf: first.buf, log: withHeader(first.result.log) };
    const outcome = await this.locked(id, async (): Promise<LoadedLog | QuarantineReport> => {
      const again = await this.readAndParse(id);
      if (again.result.ok) return { buf: again.buf, log: withHeader(again.result.log) };
      return this.moveToQuarantine(id, again.result.reason);
    });
    if ('buf' in outcome) return outcome;
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

function assertId(id: string): void {
  if (!isValidSessionId(id)) throw new SessionStoreError('invalid_id', `Not a valid session id: ${JSON.stringify(id)}`);
}

function withHeader(log: ParsedLog): ParsedLog & { header: SessionHeader } {
  if (!log.header) throw new Error('parseLogBuffer returned no header with expectHeader'); // unreachable by its contract
  return log as ParsedLog & { header: SessionHeader };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue?.message ?? 'invalid'}`;
}
