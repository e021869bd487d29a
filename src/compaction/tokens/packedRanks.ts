/**
 * Reads a tiktoken rank file as the .vsix ships it: packed by the build
 * (scripts/packRanks.mjs, which describes the format), raw token bytes rather
 * than base64, so that it compresses smaller.
 */
import * as z from 'zod';

export const PACKED_RANKS_MAGIC = 'compactor-tiktoken-ranks/1';

/** What tiktoken's `Tiktoken` constructor takes: the rank file's three fields. */
export interface EncoderSpec {
  bpe_ranks: string;
  special_tokens: Record<string, number>;
  pat_str: string;
}

const PackedHeader = z.object({
  magic: z.literal(PACKED_RANKS_MAGIC),
  pat_str: z.string(),
  special_tokens: z.record(z.string(), z.number()),
  head: z.string(),
});

const BASE64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const PAD = 0x3d; // '='
const SPACE = 0x20;

/**
 * The rank file's fields from its packed bytes; throws when they are not a packed
 * rank file. The tokens are written back as base64 into one buffer: a string per
 * token, joined, took ~300 ms for o200k's 200,000 tokens, this takes a tenth.
 */
export function unpackRanks(packed: Buffer): EncoderSpec {
  const newline = packed.indexOf(0x0a);
  if (newline < 0) throw new Error('packed tiktoken ranks: no header line');
  const header = PackedHeader.parse(JSON.parse(packed.toString('utf8', 0, newline)));
  // Each token of n bytes becomes at most 4·(n+2)/3 characters and a space: under 3 per packed byte.
  const out = Buffer.allocUnsafe(header.head.length + 3 * packed.length);
  let o = out.write(header.head, 'latin1');
  for (let at = newline + 1; at < packed.length; ) {
    const length = packed[at] ?? 0;
    const end = at + 1 + length;
    if (length === 0 || end > packed.length) throw new Error(`packed tiktoken ranks: torn token at byte ${at}`);
    out[o++] = SPACE;
    o = writeBase64(packed, at + 1, end, out, o);
    at = end;
  }
  return { bpe_ranks: out.toString('latin1', 0, o), special_tokens: header.special_tokens, pat_str: header.pat_str };
}

/** Writes bytes [from, to) of `src` as padded base64 at `o` in `out`; returns the end. */
function writeBase64(src: Buffer, from: number, to: number, out: Buffer, o: number): number {
  let i = from;
  for (; i + 2 < to; i += 3) {
    const n = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
    out[o++] = BASE64[n >> 18]!;
    out[o++] = BASE64[(n >> 12) & 63]!;
    out[o++] = BASE64[(n >> 6) & 63]!;
    out[o++] = BASE64[n & 63]!;
  }
  const left = to - i;
  if (left > 0) {
    const n = (src[i]! << 16) | (left === 2 ? src[i + 1]! << 8 : 0);
    out[o++] = BASE64[n >> 18]!;
    out[o++] = BASE64[(n >> 12) & 63]!;
    out[o++] = left === 2 ? BASE64[(n >> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return o;
}
