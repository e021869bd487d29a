/**
 * Byte-level work on the end of a log: making it end at a line boundary
 * before an append, and reading the bytes appended since a known offset.
 * The caller holds the session lock for `prepareTailForAppend`.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { errorCode } from './fileLock';
import { isWholeJsonObject, MAX_LINE_BYTES } from './logParser';
import { SessionStoreError } from './sessionErrors';

/** Read size when looking backwards for the last newline of a log. */
const TAIL_READ_CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface TailRepair {
  /** Write this before the new lines: '\n' when the last record is whole but lacks its newline. */
  prefix: string;
  warnings: string[];
}

/**
 * Makes the log at `path` end at a line boundary. A torn tail (a crash
 * mid-append) is cut off and saved as `<quarantineDir>/<id>.jsonl.torn.<stamp>`;
 * cutting it (rather than only adding a newline after it) keeps every complete
 * line of the log valid, so the fragment never becomes a corrupt middle line.
 */
export async function prepareTailForAppend(
  path: string,
  id: string,
  where: { quarantineDir: string; stamp: string; maxLineBytes?: number },
): Promise<TailRepair> {
  const maxLineBytes = where.maxLineBytes ?? MAX_LINE_BYTES;
  let fh: FileHandle;
  try {
    fh = await open(path, 'r+');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') throw new SessionStoreError('not_found', `Session ${id} does not exist`);
    throw err;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) throw new SessionStoreError('corrupt', `Session ${id} is empty: its header is missing`);
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    if (last[0] === NEWLINE) return { prefix: '', warnings: [] };
    const tailStart = (await findLastNewline(fh, size)) + 1;
    const tailBytes = size - tailStart;
    // A tail over the line limit is never read into memory (over 2 GiB it
    // cannot be: Buffer and string limits); it cannot be a record we would read.
    if (tailBytes <= maxLineBytes) {
      const tail = Buffer.alloc(tailBytes);
      await fh.read(tail, 0, tail.length, tailStart);
      if (isWholeJsonObject(tail.toString('utf8'))) return { prefix: '\n', warnings: [] };
    }
    if (tailStart === 0) throw new SessionStoreError('corrupt', `Session ${id} has no complete header`);
    const savedTo = join(where.quarantineDir, `${id}.jsonl.torn.${where.stamp}`);
    await mkdir(where.quarantineDir, { recursive: true });
    // Streamed, so a fragment of any size is saved without holding it in memory.
    await pipeline(createReadStream(path, { start: tailStart, end: size - 1 }), createWriteStream(savedTo));
    await fh.truncate(tailStart);
    return {
      prefix: '',
      warnings: [`cut off an incomplete last line (${tailBytes} bytes) left by an interrupted write; saved to ${savedTo}`],
    };
  } finally {
    await fh.close();
  }
}

async function findLastNewline(fh: FileHandle, size: number): Promise<number> {
  let end = size;
  while (end > 0) {
    const len = Math.min(TAIL_READ_CHUNK_BYTES, end);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, end - len);
    const i = buf.lastIndexOf(NEWLINE);
    if (i !== -1) return end - len + i;
    end -= len;
  }
  return -1;
}
