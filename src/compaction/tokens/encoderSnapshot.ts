/**
 * A cache, outside the repo and the package, of what loading the tokenizer
 * computes: the decompressed lite wasm, and a snapshot of the wasm memory right
 * after tiktoken built an encoder. Building o200k_base's encoder (parsing 200K
 * ranks into hash maps) was ~300 ms of every cold start, two thirds of the
 * tokenizer's load; reading the 28 MB back into a fresh instance is several
 * times cheaper (bench: tokenizer cold start 5.0× → 2.7× `node -e 0`).
 *
 * Why a memory snapshot is sound: the lite wasm keeps all of its state in its
 * linear memory (the allocator, the encoder, the regex caches) apart from one
 * mutable global, the stack pointer, which is back at its initial value
 * between calls (checked when the snapshot is taken and when it is restored).
 * The snapshot is keyed by a hash of the wasm and the rank file, and
 * a restored encoder must count a probe text exactly as the built one did, or
 * the snapshot is ignored (and rewritten).
 *
 * Where: `$COMPACTOR_CACHE/tokenizer` (default `~/.cache/context-compactor`,
 * the root the browser tests use too). `COMPACTOR_TOKENIZER_CACHE=off` turns
 * the cache off; any failure to read or write it only costs the speed-up.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Written into every snapshot; a change of layout changes it. */
const MAGIC = 'compactor-tiktoken-snapshot-1';

export interface SnapshotMeta {
  /** Pointer of the encoder object in the wasm memory. */
  pointer: number;
  /** The wasm stack pointer between calls (must match the fresh instance's). */
  stackPointer: number;
  /** Tokens of PROBE_TEXT, as the encoder that was snapshotted counted them. */
  probeTokens: number;
}

/** Counted after a restore and compared with the snapshot's count (mixed scripts, digits, whitespace). */
export const PROBE_TEXT = 'Snapshot probe: «counting» 12345 tokens — Привет 你好 \n\t  func(x) { return x ** 2; }';

/** The cache folder, or undefined when the cache is off. */
export function tokenizerCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.COMPACTOR_TOKENIZER_CACHE === 'off') return undefined;
  return join(env.COMPACTOR_CACHE || join(homedir(), '.cache', 'context-compactor'), 'tokenizer');
}

/** A short content hash: the cache key of files made from these inputs. */
export function contentKey(...parts: Uint8Array[]): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 16);
}

/** Writes atomically (temp file + rename), so a reader never sees half a file. Returns false on any failure. */
export function writeCacheFile(dir: string, name: string, chunks: Uint8Array[]): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(tmp, Buffer.concat(chunks));
    renameSync(tmp, join(dir, name));
    return true;
  } catch {
    return false;
  }
}

/** The file's bytes, or undefined when it is missing or unreadable. */
export function readCacheFile(dir: string, name: string): Buffer | undefined {
  try {
    return readFileSync(join(dir, name));
  } catch {
    return undefined;
  }
}

export function snapshotName(encoding: string, key: string): string {
  return `${encoding}-${key}.snapshot`;
}

/** Header (4-byte length + JSON) followed by the memory bytes. */
export function encodeSnapshot(meta: SnapshotMeta, memory: Uint8Array): Uint8Array[] {
  const header = Buffer.from(JSON.stringify({ magic: MAGIC, ...meta, bytes: memory.byteLength }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.byteLength, 0);
  return [length, header, memory];
}

function parseHeader(json: string): (SnapshotMeta & { bytes: number }) | undefined {
  const h = JSON.parse(json) as Partial<SnapshotMeta> & { magic?: string; bytes?: number };
  if (h.magic !== MAGIC) return undefined;
  if (typeof h.pointer !== 'number' || typeof h.stackPointer !== 'number' || typeof h.probeTokens !== 'number' || typeof h.bytes !== 'number') return undefined;
  return { pointer: h.pointer, stackPointer: h.stackPointer, probeTokens: h.probeTokens, bytes: h.bytes };
}

/**
 * Reads a snapshot's memory straight into the memory `into` returns for its
 * header (the wasm memory, grown to size: no 28 MB intermediate buffer), or
 * nothing when `into` declines. The meta when every byte was read; undefined
 * when there is no snapshot, it is not one (magic, header) or it is truncated.
 */
export function readSnapshotInto(dir: string, name: string, into: (meta: SnapshotMeta & { bytes: number }) => Uint8Array | undefined): SnapshotMeta | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(join(dir, name), 'r');
    const length = Buffer.alloc(4);
    if (readSync(fd, length, 0, 4, 0) !== 4) return undefined;
    const headerLength = length.readUInt32LE(0);
    if (headerLength > 4096) return undefined;
    const header = Buffer.alloc(headerLength);
    if (readSync(fd, header, 0, headerLength, 4) !== headerLength) return undefined;
    const meta = parseHeader(header.toString('utf8'));
    const target = meta && into(meta);
    if (!meta || !target || target.byteLength < meta.bytes) return undefined;
    let done = 0;
    while (done < meta.bytes) {
      const n = readSync(fd, target, done, meta.bytes - done, 4 + headerLength + done);
      if (n === 0) return undefined;
      done += n;
    }
    // A longer file is not this snapshot either.
    if (readSync(fd, length, 0, 1, 4 + headerLength + done) !== 0) return undefined;
    return { pointer: meta.pointer, stackPointer: meta.stackPointer, probeTokens: meta.probeTokens };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
