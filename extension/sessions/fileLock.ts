/**
 * An inter-process lock on one file, so two VS Code windows on the same
 * workspace never interleave writes to the same session log or index.
 *
 * Taking the lock is one atomic step: the owner (pid, host, time, random
 * nonce) is written to a temp file that is then hard-linked to the lock path;
 * `link` fails with EEXIST when the lock exists. So the lock is never visible
 * without its owner (a crash can leave only a temp file, never an empty lock).
 *
 * A lock is stale when its owner's pid is dead (same host only) or when it is
 * older than `staleMs` (a backstop against pid reuse and hung owners: a locked
 * section here is one small append, milliseconds).
 *
 * Removing a lock (breaking a stale one, or releasing our own) happens only
 * while holding a second, short-lived lock, `<lock>.break`, taken the same
 * atomic way. Under it the lock is read again and removed only if it is still
 * the very file that was judged (same inode and content): lock files are only
 * ever created by others meanwhile, never replaced, so a waiter can no longer
 * delete the lock a rival has just created (issue 16: two holders at once).
 * A `.break` lock is held for microseconds; one left by a crashed process is
 * removed after BREAK_STALE_MS, or at once when its pid is dead.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** A locked section is one append (milliseconds); 10 s means the owner crashed or hung. */
export const LOCK_STALE_MS = 10_000;
/** Longer than LOCK_STALE_MS, so a waiter always outlives a crashed owner's lock. */
export const LOCK_TIMEOUT_MS = 15_000;
/** First retry delay; doubles (with jitter) up to LOCK_RETRY_MAX_MS. */
const LOCK_RETRY_MIN_MS = 2;
/** Short enough that a waiting window notices a release quickly. */
const LOCK_RETRY_MAX_MS = 50;
/** The `.break` lock guards a read and an unlink: seconds means its owner crashed. */
const BREAK_STALE_MS = 2_000;

export interface FileLockOptions {
  staleMs?: number;
  timeoutMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  at: number;
  nonce: string;
}

export class LockTimeoutError extends Error {
  constructor(
    readonly lockPath: string,
    readonly timeoutMs: number,
  ) {
    super(`Could not lock ${lockPath} within ${timeoutMs} ms (another window is writing)`);
    this.name = 'LockTimeoutError';
  }
}

/** Runs `fn` while holding the lock at `lockPath`; always releases, even when `fn` throws. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const owner = await acquire(lockPath, options);
  try {
    return await fn();
  } finally {
    await release(lockPath, owner);
  }
}

async function acquire(lockPath: string, options: FileLockOptions): Promise<LockOwner> {
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const timeoutMs = options.timeoutMs ?? LOCK_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let delayMs = LOCK_RETRY_MIN_MS;
  for (;;) {
    const owner: LockOwner = { pid: process.pid, host: hostname(), at: Date.now(), nonce: randomBytes(8).toString('hex') };
    if (await tryCreate(lockPath, owner)) return owner;
    if (await removeIfStale(lockPath, staleMs)) continue;
    if (Date.now() >= deadline) throw new LockTimeoutError(lockPath, timeoutMs);
    await sleep(delayMs * (0.5 + Math.random()));
    delayMs = Math.min(delayMs * 2, LOCK_RETRY_MAX_MS);
  }
}

/** Creates the lock with its owner in one step (temp file + hard link); false when it exists. */
async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
  const tmp = `${lockPath}.${owner.nonce}.tmp`;
  await writeFile(tmp, JSON.stringify(owner), { flag: 'wx' });
  try {
    await link(tmp, lockPath);
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(errorCode(err) ?? '')) throw err;
    return tryCreateWithoutLinks(lockPath, owner);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Filesystems without hard links (some network and FAT mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Exclusive create, then write: a crash in between leaves an empty lock, judged stale by age only. */
async function tryCreateWithoutLinks(lockPath: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx');
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } catch (err) {
    await handle.close();
    await unlink(lockPath).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return true;
}

/**
 * Runs `fn` holding `<lockPath>.break`, the lock that every removal of
 * `lockPath` takes; undefined when another process holds it right now (retry).
 */
async function underBreakLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T | undefined> {
  const breakPath = `${lockPath}.break`;
  const owner: LockOwner = { pid: process.pid, host: hostname(), at: Date.now(), nonce: randomBytes(8).toString('hex') };
  if (!(await tryCreate(breakPath, owner))) {
    // A breaker that crashed inside its microsecond section: its lock is removed by
    // age or dead pid. This one removal is not guarded (a double fault: a crash
    // while breaking, then two waiters judging at the same instant).
    const seen = await readLock(breakPath);
    if (seen && isStale(seen, BREAK_STALE_MS)) await removeExact(breakPath, sameFileAs(seen));
    return undefined;
  }
  try {
    return await fn();
  } finally {
    await removeExact(breakPath, heldBy(owner.nonce));
  }
}

/**
 * Unlinks the file at `path` if it still `matches`. Callers hold the `.break`
 * lock (or are its owner), so the file cannot be replaced between this check
 * and the unlink, only created where it was absent.
 */
async function removeExact(path: string, matches: (now: SeenLock) => boolean): Promise<boolean> {
  const now = await readLock(path).catch(() => undefined);
  if (!now || !matches(now)) return false;
  await unlink(path).catch((err: unknown) => {
    if (errorCode(err) !== 'ENOENT') throw err;
  });
  return true;
}

/** The very file that was judged: same inode and content. */
function sameFileAs(seen: SeenLock): (now: SeenLock) => boolean {
  return (now) => now.ino === seen.ino && now.raw === seen.raw;
}

function heldBy(nonce: string): (now: SeenLock) => boolean {
  return (now) => now.owner?.nonce === nonce;
}

/** True when the lock is gone or was stale and has been removed: retry at once. */
async function removeIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  const seen = await readLock(lockPath);
  if (!seen) return true;
  if (!isStale(seen, staleMs)) return false;
  // Removed only if it is still the file judged stale: a rival may have broken
  // it and created its own lock meanwhile, and that one is not ours to judge.
  const removed = await underBreakLock(lockPath, () => removeExact(lockPath, sameFileAs(seen)));
  return removed === true || (await readLock(lockPath)) === undefined;
}

interface SeenLock {
  raw: string;
  mtimeMs: number;
  ino: number;
  owner?: LockOwner;
}

async function readLock(lockPath: string): Promise<SeenLock | undefined> {
  try {
    const [raw, st] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { raw, mtimeMs: st.mtimeMs, ino: st.ino, owner: parseOwner(raw) };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function parseOwner(raw: string): LockOwner | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof v.pid === 'number' && typeof v.at === 'number' && typeof v.host === 'string' && typeof v.nonce === 'string') {
      return v as LockOwner;
    }
  } catch {
    // Empty or partial: the owner is between creating and writing the file.
  }
  return undefined;
}

function isStale(seen: SeenLock, staleMs: number): boolean {
  // Without readable content (owner mid-write, or crashed right after create) only age counts.
  const at = seen.owner?.at ?? seen.mtimeMs;
  if (Date.now() - at > staleMs) return true;
  return seen.owner !== undefined && seen.owner.host === hostname() && !isPidAlive(seen.owner.pid);
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(err) === 'EPERM';
  }
}

async function release(lockPath: string, owner: LockOwner): Promise<void> {
  // Under the break lock, so a successor that took over our lock (we were
  // declared stale) is never removed; a busy break lock is retried briefly.
  for (let attempt = 0; attempt < 200; attempt++) {
    const done = await underBreakLock(lockPath, async () => {
      await removeExact(lockPath, heldBy(owner.nonce));
      return true;
    }).catch(() => true);
    if (done) return;
    await sleep(1 + Math.random() * 4);
  }
  // The break lock stayed busy (a breaker hung): leave ours to go stale rather than risk removing another's.
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
