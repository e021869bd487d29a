/**
 * Loads tiktoken's lite wasm and rank files, synchronously and once per
 * process, and counts with it.
 *
 * Where they come from: the build (esbuild.mjs) ships them brotli-compressed in
 * `dist/tiktoken/*.br` next to the bundle (`__dirname`), because node_modules
 * is not packaged and the .vsix must stay under 2 MB. Under tsx (unit tests,
 * development) there is no such folder, so the uncompressed files are read from
 * `node_modules/tiktoken`. What loading computes is cached outside the package
 * (encoderSnapshot.ts): the decompressed wasm and the built encoder.
 *
 * We never import `tiktoken/lite` itself: its entry reads the wasm from
 * node_modules at import time, which fails inside the bundle. `tiktoken/lite/init`
 * exposes the same bindings without instantiating anything.
 *
 * Counting calls the wasm export behind `encode_ordinary` directly
 * (`countOrdinary`): the bindings copy the text into the wasm memory with a
 * JS loop, character by character, and copy the tokens back out; a count
 * needs neither (TextEncoder.encodeInto writes the text, the length of the
 * result is the count). Same export, same result. In a fresh process (the
 * CLI) that loop runs unoptimised and was ~40 % of the counting time in a CPU
 * profile of `compactor stats`; in a warm process both are about as fast.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import * as bindings from 'tiktoken/lite/init';
import type { Tiktoken } from 'tiktoken/lite/init';
import {
  contentKey,
  encodeSnapshot,
  PROBE_TEXT,
  readCacheFile,
  readSnapshotInto,
  snapshotName,
  tokenizerCacheDir,
  writeCacheFile,
} from './encoderSnapshot';
import type { TiktokenEncoding } from './modelFamilies';
import { type EncoderSpec, unpackRanks } from './packedRanks';

/** The wasm, or an encoding's rank file (shipped packed, `packedRanks.ts`). */
export type AssetName = 'tiktoken_bg.wasm' | `${TiktokenEncoding}.json`;

export interface AssetLocation {
  /** Folder holding the `.br` assets; defaults to `<dir of the running bundle>/tiktoken`. */
  compressedDir?: string;
  /** Cache folder (encoderSnapshot.ts); defaults to `tokenizerCacheDir()`; `null`: no cache. */
  cacheDir?: string | null;
}

function defaultCompressedDir(): string {
  return join(__dirname, 'tiktoken');
}

/** A non-literal argument keeps esbuild from trying (and warning) to bundle these paths. */
function resolveModule(id: string): string {
  return require.resolve(id);
}

/** The file in the bundle's folder: the rank files are packed, hence another name. */
function compressedName(name: AssetName): string {
  return name.endsWith('.json') ? name.replace(/\.json$/, '.ranks.br') : `${name}.br`;
}

function uncompressedPath(name: AssetName): string {
  const liteEntry = 'tiktoken/lite';
  if (name === 'tiktoken_bg.wasm') return join(dirname(resolveModule(liteEntry)), 'tiktoken_bg.wasm');
  return resolveModule(`tiktoken/encoders/${name}`);
}

/** An asset as stored: the `.br` file's bytes (compressed) or the plain file from node_modules. */
interface StoredAsset {
  bytes: Buffer;
  compressed: boolean;
}

function readStoredAsset(name: AssetName, where: AssetLocation): StoredAsset {
  const br = join(where.compressedDir ?? defaultCompressedDir(), compressedName(name));
  if (existsSync(br)) return { bytes: readFileSync(br), compressed: true };
  let plain: string;
  try {
    plain = uncompressedPath(name);
  } catch (err) {
    throw new Error(`tiktoken asset ${name} not found: neither ${br} nor node_modules/tiktoken (${String(err)})`);
  }
  return { bytes: readFileSync(plain), compressed: false };
}

const contentOf = (a: StoredAsset): Buffer => (a.compressed ? brotliDecompressSync(a.bytes) : a.bytes);

/**
 * An encoding's rank file: `<compressedDir>/<encoding>.ranks.br` (packed) when it
 * exists, else the JSON file from node_modules. Throws with both paths when
 * neither exists.
 */
export function readEncoderSpec(encoding: TiktokenEncoding, where: AssetLocation = {}): EncoderSpec {
  return specOf(readStoredAsset(`${encoding}.json`, where));
}

function specOf(ranks: StoredAsset): EncoderSpec {
  return ranks.compressed ? unpackRanks(contentOf(ranks)) : (JSON.parse(ranks.bytes.toString('utf8')) as EncoderSpec);
}

// The ES2022 lib and @types/node 20 do not declare WebAssembly; this is the part we use.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: unknown };
};

/** The lite wasm's exports we call (tiktoken/lite/tiktoken_bg.wasm.d.ts; the numbered names are wasm-bindgen's). */
interface WasmExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  tiktoken_encode_ordinary(retptr: number, self: number, text: number, textLength: number): void;
  /** malloc(size, align) */
  __wbindgen_export_1(size: number, align: number): number;
  /** free(ptr, size, align) */
  __wbindgen_export_3(ptr: number, size: number, align: number): void;
  __wbindgen_add_to_stack_pointer(delta: number): number;
}

interface WasmBindings {
  __wbg_set_wasm(exports: unknown): void;
}

interface WasmRuntime {
  exports: WasmExports;
  /** Hash of the wasm as stored: part of every snapshot's key. */
  key: string;
  /** No encoder was built or restored in this instance yet (a snapshot can only be taken or restored then). */
  fresh: boolean;
}

let runtime: WasmRuntime | undefined;
let wasmModule: object | undefined;

/** The wasm bytes: the cached decompressed copy, else decompressed (and cached). */
function wasmBytes(where: AssetLocation, cacheDir: string | undefined): { bytes: Buffer; key: string } {
  const stored = readStoredAsset('tiktoken_bg.wasm', where);
  const key = contentKey(stored.bytes);
  if (!stored.compressed) return { bytes: stored.bytes, key };
  const name = `tiktoken_bg-${key}.wasm`;
  const cached = cacheDir ? readCacheFile(cacheDir, name) : undefined;
  if (cached) return { bytes: cached, key };
  const bytes = contentOf(stored);
  if (cacheDir) writeCacheFile(cacheDir, name, [bytes]);
  return { bytes, key };
}

/** Instantiates the lite wasm (synchronously, as tiktoken/lite/tiktoken.cjs does) and hands it to the bindings. */
function instantiate(where: AssetLocation, cacheDir: string | undefined): WasmRuntime {
  const { bytes, key } = wasmBytes(where, cacheDir);
  wasmModule ??= new WebAssembly.Module(bytes);
  // The wasm imports its JS glue under this module name.
  const instance = new WebAssembly.Instance(wasmModule, { './tiktoken_bg.js': bindings });
  (bindings as unknown as WasmBindings).__wbg_set_wasm(instance.exports);
  return { exports: instance.exports as WasmExports, key, fresh: true };
}

/**
 * `encode_ordinary(text).length` without the bindings' copies (see the file
 * comment): the text goes in as UTF-8 (lone surrogates become U+FFFD, as in
 * the bindings), the token vector is freed unread.
 */
function countOrdinary(exports: WasmExports, self: number): (text: string) => number {
  let bytes = Buffer.from(exports.memory.buffer);
  let view = new DataView(exports.memory.buffer);
  // Views of the memory die when it grows (its buffer is detached); make new ones then.
  const memoryBytes = () => (bytes.byteLength === 0 ? (bytes = Buffer.from(exports.memory.buffer)) : bytes);
  const memoryView = () => (view.buffer.byteLength === 0 ? (view = new DataView(exports.memory.buffer)) : view);
  return (text) => {
    if (text.length === 0) return 0;
    // Exactly the UTF-8 length: the wasm side frees the text with it.
    const size = Buffer.byteLength(text, 'utf8');
    const ptr = exports.__wbindgen_export_1(size, 1) >>> 0;
    const written = memoryBytes().write(text, ptr, size, 'utf8');
    const ret = exports.__wbindgen_add_to_stack_pointer(-16);
    try {
      exports.tiktoken_encode_ordinary(ret, self, ptr, written);
      const v = memoryView();
      const tokens = v.getInt32(ret, true) >>> 0;
      const length = v.getInt32(ret + 4, true) >>> 0;
      exports.__wbindgen_export_3(tokens, length * 4, 4);
      return length;
    } finally {
      exports.__wbindgen_add_to_stack_pointer(16);
    }
  };
}

export interface LoadedEncoder {
  tiktoken: Tiktoken;
  /** encode_ordinary(text).length, faster (countOrdinary). */
  count: (text: string) => number;
  /** How it was loaded: built from the rank file, or restored from a cached snapshot. */
  loadedFrom: 'ranks' | 'snapshot';
}

const encoders = new Map<TiktokenEncoding, LoadedEncoder>();

function withPointer(pointer: number): Tiktoken {
  const t = Object.create(bindings.Tiktoken.prototype) as Tiktoken & { __wbg_ptr: number };
  t.__wbg_ptr = pointer;
  return t;
}

/** Reads a snapshot into the fresh instance; the encoder when it counts the probe as it did, else undefined. */
function restore(rt: WasmRuntime, cacheDir: string, name: string): LoadedEncoder | undefined {
  const memory = rt.exports.memory;
  const meta = readSnapshotInto(cacheDir, name, (m) => {
    const missing = m.bytes - memory.buffer.byteLength;
    if (m.stackPointer !== rt.exports.__wbindgen_add_to_stack_pointer(0) || missing < 0 || missing % 65536 !== 0) return undefined;
    if (missing > 0) memory.grow(missing / 65536);
    return new Uint8Array(memory.buffer, 0, m.bytes);
  });
  if (!meta) return undefined;
  const count = countOrdinary(rt.exports, meta.pointer);
  let probe: number | undefined;
  try {
    probe = count(PROBE_TEXT);
  } catch {
    probe = undefined;
  }
  return probe === meta.probeTokens ? { tiktoken: withPointer(meta.pointer), count, loadedFrom: 'snapshot' } : undefined;
}

/** The encoder for an encoding, loaded lazily (restored from the cache when it can be) and kept for the life of the process. */
export function loadEncoder(encoding: TiktokenEncoding, where: AssetLocation = {}): LoadedEncoder {
  const known = encoders.get(encoding);
  if (known) return known;
  const cacheDir = where.cacheDir === null ? undefined : (where.cacheDir ?? tokenizerCacheDir());
  let rt = (runtime ??= instantiate(where, cacheDir));
  const ranks = readStoredAsset(`${encoding}.json`, where);
  const name = snapshotName(encoding, contentKey(Buffer.from(rt.key), ranks.bytes));
  if (rt.fresh && cacheDir) {
    const restored = restore(rt, cacheDir, name);
    if (restored) {
      rt.fresh = false;
      encoders.set(encoding, restored);
      return restored;
    }
    // A snapshot that did not restore may have left the memory half written: start again.
    rt = runtime = instantiate(where, cacheDir);
  }
  const spec = specOf(ranks);
  const tiktoken = new bindings.Tiktoken(spec.bpe_ranks, spec.special_tokens, spec.pat_str);
  const pointer = (tiktoken as unknown as { __wbg_ptr: number }).__wbg_ptr;
  const count = countOrdinary(rt.exports, pointer);
  const loaded: LoadedEncoder = { tiktoken, count, loadedFrom: 'ranks' };
  if (rt.fresh && cacheDir) {
    const probeTokens = count(PROBE_TEXT);
    const memory = new Uint8Array(rt.exports.memory.buffer);
    writeCacheFile(cacheDir, name, encodeSnapshot({ pointer, stackPointer: rt.exports.__wbindgen_add_to_stack_pointer(0), probeTokens }, memory));
  }
  rt.fresh = false;
  encoders.set(encoding, loaded);
  return loaded;
}

/** The tokenizer for an encoding, created lazily and kept for the life of the process. */
export function getTiktoken(encoding: TiktokenEncoding, where: AssetLocation = {}): Tiktoken {
  return loadEncoder(encoding, where).tiktoken;
}
