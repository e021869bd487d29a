/**
 * Loads tiktoken's lite wasm and rank files, synchronously and once per
 * process.
 *
 * Where they come from: the build (esbuild.mjs) ships them brotli-compressed in
 * `dist/tiktoken/*.br` next to the bundle (`__dirname`), because node_modules
 * is not packaged and the .vsix must stay under 2 MB. Under tsx (unit tests,
 * development) there is no such folder, so the uncompressed files are read from
 * `node_modules/tiktoken`.
 *
 * We never import `tiktoken/lite` itself: its entry reads the wasm from
 * node_modules at import time, which fails inside the bundle. `tiktoken/lite/init`
 * exposes the same bindings without instantiating anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import * as bindings from 'tiktoken/lite/init';
import type { Tiktoken } from 'tiktoken/lite/init';
import type { TiktokenEncoding } from './modelFamilies';

export type AssetName = 'tiktoken_bg.wasm' | `${TiktokenEncoding}.json`;

export interface AssetLocation {
  /** Folder holding the `.br` assets; defaults to `<dir of the running bundle>/tiktoken`. */
  compressedDir?: string;
}

function defaultCompressedDir(): string {
  return join(__dirname, 'tiktoken');
}

/** A non-literal argument keeps esbuild from trying (and warning) to bundle these paths. */
function resolveModule(id: string): string {
  return require.resolve(id);
}

function uncompressedPath(name: AssetName): string {
  const liteEntry = 'tiktoken/lite';
  if (name === 'tiktoken_bg.wasm') return join(dirname(resolveModule(liteEntry)), 'tiktoken_bg.wasm');
  return resolveModule(`tiktoken/encoders/${name}`);
}

/**
 * The bytes of one asset: `<compressedDir>/<name>.br` decompressed when it
 * exists, else the uncompressed file from node_modules. Throws with both paths
 * when neither exists.
 */
export function readTiktokenAsset(name: AssetName, where: AssetLocation = {}): Buffer {
  const br = join(where.compressedDir ?? defaultCompressedDir(), `${name}.br`);
  if (existsSync(br)) return brotliDecompressSync(readFileSync(br));
  let plain: string;
  try {
    plain = uncompressedPath(name);
  } catch (err) {
    throw new Error(`tiktoken asset ${name} not found: neither ${br} nor node_modules/tiktoken (${String(err)})`);
  }
  return readFileSync(plain);
}

let wasmReady = false;
const encoders = new Map<TiktokenEncoding, Tiktoken>();

// The ES2022 lib and @types/node 20 do not declare WebAssembly; this is the part we use.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: unknown };
};

interface WasmBindings {
  __wbg_set_wasm(exports: unknown): void;
}

/** Instantiates the lite wasm once per process (synchronously, as tiktoken/lite/tiktoken.cjs does). */
function ensureWasm(where: AssetLocation): void {
  if (wasmReady) return;
  const bytes = readTiktokenAsset('tiktoken_bg.wasm', where);
  const module = new WebAssembly.Module(bytes);
  // The wasm imports its JS glue under this module name.
  const instance = new WebAssembly.Instance(module, { './tiktoken_bg.js': bindings });
  (bindings as unknown as WasmBindings).__wbg_set_wasm(instance.exports);
  wasmReady = true;
}

interface EncoderSpec {
  bpe_ranks: string;
  special_tokens: Record<string, number>;
  pat_str: string;
}

/** The tokenizer for an encoding, created lazily and kept for the life of the process. */
export function getTiktoken(encoding: TiktokenEncoding, where: AssetLocation = {}): Tiktoken {
  const cached = encoders.get(encoding);
  if (cached) return cached;
  ensureWasm(where);
  const spec = JSON.parse(readTiktokenAsset(`${encoding}.json`, where).toString('utf8')) as EncoderSpec;
  const enc = new bindings.Tiktoken(spec.bpe_ranks, spec.special_tokens, spec.pat_str);
  encoders.set(encoding, enc);
  return enc;
}
