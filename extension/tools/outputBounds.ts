/**
 * Tool output as the model sees it and as the session log stores it. No
 * vscode import: unit-tested in plain Node.
 *
 * The log keeps the whole output (up to STORED_OUTPUT_MAX_CHARS, so one
 * runaway command cannot make the log unusable); the model sees at most a
 * bounded head and tail, with a marker saying how much was cut — the end of a
 * command's output (the error, the summary line) matters most, so the tail
 * gets the larger share.
 */

/** What the model sees of a terminal command's output (~5K tokens). */
export const TERMINAL_MODEL_MAX_CHARS = 20_000;
/** What the model sees of any other tool's result: a safety net for other extensions' tools (ours stay below it). */
export const TOOL_RESULT_MODEL_MAX_CHARS = 64_000;
/** What the session log stores of one tool result (~5 MB of text). */
export const STORED_OUTPUT_MAX_CHARS = 5_000_000;
/** Share of a bounded text taken from its head; the rest comes from its tail. */
const HEAD_SHARE = 0.4;

/**
 * Removes terminal escape sequences (colours, cursor moves, OSC titles and
 * VS Code's shell-integration marks) and resolves carriage returns the way a
 * terminal shows them: `\r\n` is a line break, a lone `\r` (a progress bar
 * redrawing its line) keeps only what was written last.
 */
export function stripAnsi(text: string): string {
  const noEscapes = text
    // OSC: ESC ] … (BEL | ESC \), also the 8-bit form
    .replace(/(?:\u001b\]|\u009d)[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/g, '')
    // CSI: ESC [ params intermediates final, also the 8-bit form
    .replace(/(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]/g, '')
    // DCS / PM / APC strings
    .replace(/\u001b[P^_][^\u001b]*(?:\u001b\\)?/g, '')
    // Any other two-character escape (charset selection, keypad modes, …)
    .replace(/\u001b[ -/]*[0-~]/g, '')
    .replace(/\u001b/g, '');
  return noEscapes
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => {
      const cr = line.lastIndexOf('\r');
      return cr === -1 ? line : line.slice(cr + 1);
    })
    .join('\n');
}

/**
 * Makes output that may be binary safe to store and show: control characters
 * other than tab and newline become U+FFFD, and output that is mostly such
 * characters is replaced by one line saying so.
 */
export function sanitizeOutput(text: string): string {
  let control = 0;
  const cleaned = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/g, (c) => {
    control++;
    return c === '\ufffd' ? c : '\ufffd';
  });
  if (text.length >= 64 && control / text.length > 0.3) {
    return `[binary output: ${text.length.toLocaleString('en-US')} characters, ${Math.round((control / text.length) * 100)}% of them not text; not shown]`;
  }
  return cleaned;
}

function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * `text` cut to at most about `maxChars`: a head and a tail (cut at line
 * breaks when one is near) around a marker naming how many characters and
 * lines were left out and `where` the whole text is.
 */
export function headTail(text: string, maxChars: number, where: string): string {
  if (text.length <= maxChars) return text;
  const budget = Math.max(0, maxChars - 200); // room for the marker
  let headEnd = Math.floor(budget * HEAD_SHARE);
  let tailStart = text.length - (budget - headEnd);
  // Prefer whole lines when a line break is within the last/first 10% of each piece.
  const nl = text.lastIndexOf('\n', headEnd);
  if (nl > headEnd * 0.9) headEnd = nl + 1;
  const nl2 = text.indexOf('\n', tailStart);
  if (nl2 !== -1 && nl2 < tailStart + (text.length - tailStart) * 0.1) tailStart = nl2 + 1;
  // Never split a UTF-16 surrogate pair.
  if (/[\ud800-\udbff]/.test(text.charAt(headEnd - 1))) headEnd--;
  if (/[\udc00-\udfff]/.test(text.charAt(tailStart))) tailStart++;
  const cut = text.slice(headEnd, tailStart);
  const marker = `\n[… ${cut.length.toLocaleString('en-US')} characters (${lineCount(cut).toLocaleString('en-US')} lines) cut from the middle of this output; ${where} …]\n`;
  return text.slice(0, headEnd) + marker + text.slice(tailStart);
}

/** The model's bound for a tool's result. */
export function modelMaxCharsFor(toolName: string): number {
  return toolName === 'compactor_runInTerminal' ? TERMINAL_MODEL_MAX_CHARS : TOOL_RESULT_MODEL_MAX_CHARS;
}

export interface StoredResult {
  /** What the model sees (and what the session counts, masks and summarizes). */
  text: string;
  /** The whole result when `text` was cut; absent when `text` is whole. */
  fullText?: string;
}

/** Splits a tool's result into what the model sees and what the log keeps whole. */
export function boundToolResult(toolName: string, result: string): StoredResult {
  const stored = headTail(result, STORED_OUTPUT_MAX_CHARS, 'the session log keeps only this much of it');
  const text = headTail(stored, modelMaxCharsFor(toolName), 'the whole output is kept in the session log');
  return text === stored ? { text } : { text, fullText: stored };
}
