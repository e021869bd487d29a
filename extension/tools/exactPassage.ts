/**
 * Exact-passage replacement for the edit tool, and the excerpts its review
 * step shows. No vscode import: unit-tested in plain Node.
 *
 * Why exact and unique: the model names the passage it means by quoting it;
 * a passage that occurs twice (or not at all) means the model's picture of
 * the file is wrong, and guessing which one to change would edit the wrong
 * place silently. The error says how many times it occurs so the model can
 * quote more context.
 */

export type PassageEdit =
  | {
      ok: true;
      /** The whole new text of the file. */
      text: string;
      /** Where, in the original text, the replaced passage starts and how long it is (UTF-16 units). */
      offset: number;
      length: number;
      /** The replacement as written into the file (line endings adapted to the file's). */
      inserted: string;
    }
  | { ok: false; message: string };

/** True when every line break of `text` is CRLF (and there is at least one). */
export function usesCrlf(text: string): boolean {
  return text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
}

function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** Occurrences of `needle` in `haystack`, overlapping ones included (each is a different place the model could mean). */
export function countOccurrences(haystack: string, needle: string): number {
  if (needle.length === 0) return 0;
  let count = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) count++;
  return count;
}

/**
 * Replaces the one occurrence of `oldText` in `text` with `newText`. Models
 * write `\n`; a file with CRLF line endings still matches (the passage and
 * its replacement take the file's line endings).
 */
export function replaceExactPassage(text: string, oldText: string, newText: string, path = 'the file'): PassageEdit {
  if (oldText.length === 0) return { ok: false, message: `oldText is empty: quote the exact passage of ${path} to replace (use compactor_writeFile to replace the whole file).` };
  const crlf = usesCrlf(text);
  let needle = oldText;
  let count = countOccurrences(text, needle);
  if (count === 0 && crlf && oldText.includes('\n')) {
    needle = toCrlf(oldText);
    count = countOccurrences(text, needle);
  }
  // In a CRLF file, a replacement written with bare LFs takes the file's endings.
  const replacement = crlf ? toCrlf(newText) : newText;
  if (count === 0) {
    const trimmed = oldText.trim();
    const hint =
      trimmed !== oldText && trimmed.length > 0 && countOccurrences(text, trimmed) > 0
        ? ' (it does occur without its leading/trailing whitespace: quote the whitespace exactly)'
        : '';
    return { ok: false, message: `oldText was not found in ${path}${hint}. Read the file again and quote the passage exactly, including whitespace and indentation. Nothing was changed.` };
  }
  if (count > 1) {
    return { ok: false, message: `oldText occurs ${count} times in ${path}; it must occur exactly once. Quote more of the surrounding lines so that it is unique. Nothing was changed.` };
  }
  const offset = text.indexOf(needle);
  return {
    ok: true,
    text: text.slice(0, offset) + replacement + text.slice(offset + needle.length),
    offset,
    length: needle.length,
    inserted: replacement,
  };
}

/** 1-based line number of a UTF-16 offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const EXCERPT_MAX_LINES = 40;

function clip(lines: string[], max: number): string[] {
  if (lines.length <= max) return lines;
  const head = Math.ceil(max / 2);
  return [...lines.slice(0, head), `… ${lines.length - max} more lines …`, ...lines.slice(lines.length - (max - head))];
}

/** A small unified-diff-like excerpt of one replacement: `@@ line N @@`, `-` old lines, `+` new lines. */
export function diffExcerpt(path: string, original: string, edit: { offset: number; length: number; inserted: string }): string {
  const split = (s: string) => {
    const lines = s.replace(/\r\n/g, '\n').split('\n');
    if (lines.length > 1 && lines.at(-1) === '') lines.pop(); // a passage ending in a line break
    return lines;
  };
  const removed = split(original.slice(edit.offset, edit.offset + edit.length));
  const added = split(edit.inserted);
  const line = lineAt(original, edit.offset);
  return [
    `--- ${path}`,
    `+++ ${path}`,
    `@@ line ${line} @@`,
    ...clip(removed.map((l) => `-${l}`), EXCERPT_MAX_LINES / 2),
    ...clip(added.map((l) => `+${l}`), EXCERPT_MAX_LINES / 2),
  ].join('\n');
}

/** What a create/write review shows: size, line count and the first lines. */
export function contentSummary(content: string, firstLines = 12): string {
  const lines = content.replace(/\r\n/g, '\n').split('\n');
  const bytes = new TextEncoder().encode(content).length;
  const shown = lines.slice(0, firstLines);
  const more = lines.length > firstLines ? `\n… ${lines.length - firstLines} more lines` : '';
  return `${bytes.toLocaleString('en-US')} bytes, ${lines.length} line${lines.length === 1 ? '' : 's'}:\n${shown.join('\n')}${more}`;
}
