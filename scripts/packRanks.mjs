// Packs a tiktoken rank file (node_modules/tiktoken/encoders/<encoding>.json) for
// the .vsix. Its `bpe_ranks` is one line, `! 0 <token> <token> …`: each token's
// bytes in base64, ranked by position. Brotli compresses the raw bytes ~7 % better
// than their base64 (o200k: 828 KB instead of 887 KB), which keeps the .vsix under
// 2 MB. The engine unpacks it (src/compaction/tokens/packedRanks.ts).
//
// Packed: one JSON line `{"magic","pat_str","special_tokens","head"}` (head: what
// precedes the first token, `! 0`), then per token its byte length (1 byte) and
// its bytes. Packing throws on anything it could not give back exactly.

export const PACKED_RANKS_MAGIC = 'compactor-tiktoken-ranks/1';

/** @param {Buffer} json the rank file's bytes @returns {Buffer} */
export function packRanks(json) {
  const spec = JSON.parse(json.toString('utf8'));
  const ranks = String(spec.bpe_ranks);
  if (ranks.includes('\n')) throw new Error('packRanks: bpe_ranks has more than one line; this tiktoken version needs a new packing');
  const [marker, offset, ...tokens] = ranks.split(' ');
  const header = JSON.stringify({ magic: PACKED_RANKS_MAGIC, pat_str: spec.pat_str, special_tokens: spec.special_tokens, head: `${marker} ${offset}` });
  const parts = [Buffer.from(`${header}\n`, 'utf8')];
  for (const token of tokens) {
    const bytes = Buffer.from(token, 'base64');
    if (bytes.length === 0 || bytes.length > 255 || bytes.toString('base64') !== token) {
      throw new Error(`packRanks: token ${JSON.stringify(token)} is not 1–255 bytes of canonical base64`);
    }
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  return Buffer.concat(parts);
}
