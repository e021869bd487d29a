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

/** The rank file's fields from its packed bytes; throws when they are not a packed rank file. */
export function unpackRanks(packed: Buffer): EncoderSpec {
  const newline = packed.indexOf(0x0a);
  if (newline < 0) throw new Error('packed tiktoken ranks: no header line');
  const header = PackedHeader.parse(JSON.parse(packed.toString('utf8', 0, newline)));
  const tokens: string[] = [header.head];
  for (let at = newline + 1; at < packed.length; ) {
    const length = packed[at] ?? 0;
    const end = at + 1 + length;
    if (length === 0 || end > packed.length) throw new Error(`packed tiktoken ranks: torn token at byte ${at}`);
    tokens.push(packed.toString('base64', at + 1, end));
    at = end;
  }
  return { bpe_ranks: tokens.join(' '), special_tokens: header.special_tokens, pat_str: header.pat_str };
}
