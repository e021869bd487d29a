/**
 * Two small sidecar files next to the logs:
 * - `index.json`: user-chosen titles. Authoritative; read-modify-write under
 *   an inter-process lock, written atomically (temp file + rename).
 * - `summaries.cache.json`: the list() fold state per log, keyed by the file's
 *   inode, size and mtime. Only a cache: a missing, stale or unreadable entry
 *   costs a re-parse, never a wrong answer, so it is written atomically without
 *   a lock (last writer wins).
 * Titles live here rather than in the header because the logs are strictly
 * append-only: rewriting a header means rewriting the whole file under another
 * window's feet and invalidating every offset cached above.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { errorCode, withFileLock, type FileLockOptions } from './fileLock';
import { SummaryStateSchema } from './sessionSummary';

export const INDEX_FILE = 'index.json';
export const SUMMARY_CACHE_FILE = 'summaries.cache.json';

const TitleIndexSchema = z.object({
  version: z.literal(1),
  titles: z.record(z.string(), z.string()),
});

export const CacheEntrySchema = z.object({
  ino: z.number(),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  /** Offset just past the last line folded into `state`. */
  validBytes: z.number().int().nonnegative(),
  state: SummaryStateSchema,
});
export type CacheEntry = z.infer<typeof CacheEntrySchema>;

const SummaryCacheSchema = z.object({
  version: z.literal(1),
  entries: z.record(z.string(), CacheEntrySchema),
});

export interface TitleRead {
  titles: Record<string, string>;
  /** Set when index.json existed but could not be read (titles fall back to the logs). */
  problem?: string;
}

export async function readTitles(dir: string): Promise<TitleRead> {
  const raw = await readOptional(join(dir, INDEX_FILE));
  if (raw === undefined) return { titles: {} };
  const parsed = safeJson(raw, TitleIndexSchema);
  if (!parsed) return { titles: {}, problem: `${INDEX_FILE} is unreadable; custom titles are not shown` };
  return { titles: parsed.titles };
}

/** Changes titles under the index lock; `change` edits the map in place. */
export async function updateTitles(
  dir: string,
  change: (titles: Record<string, string>) => void,
  lock: FileLockOptions = {},
): Promise<void> {
  const path = join(dir, INDEX_FILE);
  await withFileLock(
    `${path}.lock`,
    async () => {
      // An unreadable index is replaced rather than blocking every rename forever.
      const { titles } = await readTitles(dir);
      change(titles);
      await writeFileAtomic(path, `${JSON.stringify({ version: 1, titles }, null, 2)}\n`);
    },
    lock,
  );
}

export async function readSummaryCache(dir: string): Promise<Map<string, CacheEntry>> {
  const raw = await readOptional(join(dir, SUMMARY_CACHE_FILE));
  const parsed = raw === undefined ? undefined : safeJson(raw, SummaryCacheSchema);
  return new Map(Object.entries(parsed?.entries ?? {}));
}

export async function writeSummaryCache(dir: string, entries: ReadonlyMap<string, CacheEntry>): Promise<void> {
  const body = { version: 1, entries: Object.fromEntries(entries) };
  await writeFileAtomic(join(dir, SUMMARY_CACHE_FILE), JSON.stringify(body));
}

/** Write to a unique temp file in the same folder, then rename over the target (atomic on one filesystem). */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function safeJson<T>(raw: string, schema: z.ZodType<T>): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
