/**
 * An inter-process lock on one file, so two VS Code windows on the same
 * workspace never interleave writes to the same session log or index.
 *
 * The lock is a file created with `wx` (fails if it exists) holding the
 * owner's pid, host, time and a random nonce. A lock is stale, and may be
 * removed by anyone, when its owner's pid is dead (same host only) or when it
 * is older than `staleMs` (a backstop against pid reuse and hung owners: a
 * locked section here is one small append, milliseconds). Release removes the
 * lock only if it still holds our nonce, so an owner whose lock was declared
 * stale never removes its successor's lock.
 *
 * Known limit: two waiters that judge the same stale lock at the same instant
 * can race between "read" and "unlink"; the re-read just before unlinking
 * narrows that window to microseconds, and it only opens after an owner crashed.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';

/** A locked section is one append (milliseconds); 10 s means the owner crashed or hung. */
export const LOCK_STALE_MS = 10_000;
/** Longer than LOCK_STALE_MS, so a waiter always outlives a crashed owner's lock. */
export const LOCK_TIMEOUT_MS = 15_000;
/** First retry delay; doubles (with jitter) up to LOCK_RETRY_MAX_MS. */
const LOCK_RETRY_MIN_MS = 2;
/** Short enough that a waiting window notices a release quickly. */
const LOCK_RETRY_MAX_MS = 50;

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

async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
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

/** True when the lock is gone or was stale and has been removed: retry at once. */
async function removeIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  const seen = await readLock(lockPath);
  if (!seen) return true;
  if (!isStale(seen, staleMs)) return false;
  // Re-read just before removing: if the lock changed meanwhile, someone else
  // already replaced it and the new one is not ours to judge yet.
  const again = await readLock(lockPath);
  if (!again) return true;
  if (again.raw !== seen.raw || again.mtimeMs !== seen.mtimeMs) return false;
  await unlink(lockPath).catch((err: unknown) => {
    if (errorCode(err) !== 'ENOENT') throw err;
  });
  return true;
}

interface SeenLock {
  raw: string;
  mtimeMs: number;
  owner?: LockOwner;
}

async function readLock(lockPath: string): Promise<SeenLock | undefined> {
  try {
    const [raw, st] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { raw, mtimeMs: st.mtimeMs, owner: parseOwner(raw) };
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
  const seen = await readLock(lockPath).catch(() => undefined);
  if (seen?.owner?.nonce !== owner.nonce) return; // declared stale and taken over: not ours any more
  await unlink(lockPath).catch(() => undefined);
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
