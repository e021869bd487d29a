/**
 * Byte-level work on the end of a log: making it end at a line boundary
 * before an append, and reading the bytes appended since a known offset.
 * The caller holds the session lock for `prepareTailForAppend`.
 */
import { mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from './fileLock';
import { parseRecordLine } from './logParser';
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
  where: { quarantineDir: string; stamp: string },
): Promise<TailRepair> {
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
    const tail = Buffer.alloc(size - tailStart);
    await fh.read(tail, 0, tail.length, tailStart);
    if (parseRecordLine(tail.toString('utf8')).ok) return { prefix: '\n', warnings: [] };
    if (tailStart === 0) throw new SessionStoreError('corrupt', `Session ${id} has no complete header`);
    const savedTo = join(where.quarantineDir, `${id}.jsonl.torn.${where.stamp}`);
    await mkdir(where.quarantineDir, { recursive: true });
    await writeFile(savedTo, tail);
    await fh.truncate(tailStart);
    return {
      prefix: '',
      warnings: [`cut off an incomplete last line (${tail.length} bytes) left by an interrupted write; saved to ${savedTo}`],
    };
  } finally {
    await fh.close();
  }
}

/** Bytes [start, end) of a file (fewer if it shrank meanwhile). */
export async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead);
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
