/**
 * `SessionStore.list()`: a summary of every log in the folder. Each summary is
 * a fold over the log's records (sessionSummary.ts), cached per file in
 * `summaries.cache.json` (sessionIndex.ts), so a log that only grew is read
 * from its last folded byte on. A log that cannot be trusted is quarantined by
 * the store's full read and reported; it never hides the others.
 */
import { readdir, stat } from 'node:fs/promises';
import type { SessionHeader } from '../../src/compaction/records';
import { errorCode } from './fileLock';
import { parseLogFile, type ParsedLog } from './logParser';
import { SessionStoreError, type QuarantineReport } from './sessionErrors';
import { isValidSessionId, LOG_EXT } from './sessionId';
import { readSummaryCache, readTitles, writeSummaryCache, type CacheEntry } from './sessionIndex';
import { foldRecords, startSummary, toSummary, type SessionSummary } from './sessionSummary';
import { errorMessage } from '../../src/compaction/errors';

export interface SessionListing {
  /** Newest first. */
  sessions: SessionSummary[];
  /** Logs found corrupt during this listing, now moved aside. */
  quarantined: QuarantineReport[];
  warnings: string[];
}

/** A whole log, read and validated by the store. */
export interface LoadedLog {
  /** Bytes read (the file's size when reading started). */
  size: number;
  ino: number;
  log: ParsedLog & { header: SessionHeader };
}

/** What the listing needs from the store. */
export interface ListedFolder {
  dir: string;
  logPath(id: string): string;
  /** Reads and validates a whole log; a corrupt one is quarantined and reported as a `corrupt` error. */
  load(id: string): Promise<LoadedLog>;
}

export class SessionLister {
  private cache: Map<string, CacheEntry> | undefined;

  constructor(private readonly folder: ListedFolder) {}

  async list(): Promise<SessionListing> {
    const listing: SessionListing = { sessions: [], quarantined: [], warnings: [] };
    let names: string[];
    try {
      names = await readdir(this.folder.dir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return listing;
      throw err;
    }
    const { titles, problem } = await readTitles(this.folder.dir);
    if (problem) listing.warnings.push(problem);
    const cache = await this.loadCache();
    let cacheChanged = false;
    const present = new Set<string>();
    for (const name of names) {
      const id = name.endsWith(LOG_EXT) ? name.slice(0, -LOG_EXT.length) : '';
      if (!isValidSessionId(id)) continue;
      try {
        const before = cache.get(id);
        const { entry, warnings } = await this.summarize(id, before);
        if (entry !== before) {
          cache.set(id, entry);
          cacheChanged = true;
        }
        present.add(id);
        listing.sessions.push(toSummary(entry.state, titles[id]));
        listing.warnings.push(...warnings.map((w) => `${id}: ${w}`));
      } catch (err) {
        if (err instanceof SessionStoreError && err.details.quarantine) listing.quarantined.push(err.details.quarantine);
        else if (!(err instanceof SessionStoreError && err.code === 'not_found')) {
          // One unreadable log must not hide the others; it is reported, not dropped silently.
          listing.warnings.push(`${id}: could not be read (${errorMessage(err)})`);
        }
      }
    }
    for (const id of [...cache.keys()]) {
      if (!present.has(id)) {
        cache.delete(id);
        cacheChanged = true;
      }
    }
    if (cacheChanged) {
      await writeSummaryCache(this.folder.dir, cache).catch((err: unknown) => {
        listing.warnings.push(`the list cache could not be saved (${errorMessage(err)})`);
      });
    }
    listing.sessions.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
    return listing;
  }

  /** Drops the cached summary of a session that is gone (deleted or quarantined). */
  forget(id: string): void {
    this.cache?.delete(id);
  }

  private async summarize(id: string, cached: CacheEntry | undefined): Promise<{ entry: CacheEntry; warnings: string[] }> {
    const path = this.folder.logPath(id);
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new SessionStoreError('not_found', `Session ${id} does not exist`);
      throw err;
    }
    const sameFile = cached !== undefined && cached.ino === st.ino;
    if (sameFile && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return { entry: cached, warnings: [] };
    if (sameFile && st.size >= cached.validBytes) {
      // Append-only: only the bytes after the last folded line are new.
      const { result: r } = await parseLogFile(path, { expectHeader: false, from: cached.validBytes, to: st.size });
      if (r.ok) {
        const entry: CacheEntry = {
          ino: st.ino,
          size: st.size,
          mtimeMs: st.mtimeMs,
          validBytes: cached.validBytes + r.log.validBytes,
          state: foldRecords(cached.state, r.log.records),
        };
        return { entry, warnings: r.log.warnings };
      }
      // Otherwise fall through: the full read decides (and quarantines if need be).
    }
    const { size, log } = await this.folder.load(id);
    const state = foldRecords({ ...startSummary(log.header), id }, log.records);
    const entry: CacheEntry = { ino: st.ino, size, mtimeMs: st.mtimeMs, validBytes: log.validBytes, state };
    return { entry, warnings: log.warnings };
  }

  private async loadCache(): Promise<Map<string, CacheEntry>> {
    this.cache ??= await readSummaryCache(this.folder.dir);
    return this.cache;
  }
}
