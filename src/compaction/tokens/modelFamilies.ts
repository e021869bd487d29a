/**
 * Which tiktoken encoding counts a model's tokens. OpenAI's newer families use
 * o200k_base; gpt-4 (not 4o/4.x), gpt-3.5 and the text-embedding models use
 * cl100k_base. Other vendors publish no tokenizer for local use, so
 * o200k_base is the approximation (corrected by reported usage, see
 * calibration.ts).
 */
export type TiktokenEncoding = 'o200k_base' | 'cl100k_base';

export const DEFAULT_ENCODING: TiktokenEncoding = 'o200k_base';

/** First match wins; patterns are tested against the id and the family, lower-cased, vendor prefix removed. */
const FAMILY_TABLE: ReadonlyArray<{ pattern: RegExp; encoding: TiktokenEncoding }> = [
  { pattern: /^gpt-4o/, encoding: 'o200k_base' },
  { pattern: /^gpt-4\.\d/, encoding: 'o200k_base' },
  { pattern: /^gpt-4(?:$|-)/, encoding: 'cl100k_base' },
  { pattern: /^gpt-3\.5/, encoding: 'cl100k_base' },
  { pattern: /^gpt-35/, encoding: 'cl100k_base' },
  { pattern: /^text-embedding-/, encoding: 'cl100k_base' },
  { pattern: /^(?:gpt-5|o\d|chatgpt-|gpt-oss)/, encoding: 'o200k_base' },
];

function normalise(name: string): string {
  const lower = name.trim().toLowerCase();
  const slash = lower.lastIndexOf('/');
  return slash >= 0 ? lower.slice(slash + 1) : lower;
}

/** The encoding for a model id (and optionally its family, as VS Code reports it). */
export function encodingForModel(model: string | { id: string; family?: string }): TiktokenEncoding {
  const names = typeof model === 'string' ? [model] : [model.family ?? '', model.id];
  for (const raw of names) {
    if (!raw) continue;
    const name = normalise(raw);
    for (const row of FAMILY_TABLE) if (row.pattern.test(name)) return row.encoding;
  }
  return DEFAULT_ENCODING;
}
