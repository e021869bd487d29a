/**
 * Bare-identifier lines: a summary line that is nothing but a name ("- addChild",
 * "- `foo`", "- ,"), a bag of words a person cannot read and a model cannot use.
 * Issue 18's target: at most 10 % of a summary's lines. Blank lines, headings and
 * fence lines are not counted.
 */
const BARE = /^[-*]?\s*`?[\w.$:/@#()[\]<>,-]{0,80}`?[,.;]?$/;

export function bareIdentifierShare(summary: string): { lines: number; bare: number; share: number } {
  const lines = summary.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && !/^`{3,}$/.test(l));
  const bare = lines.filter((l) => BARE.test(l)).length;
  return { lines: lines.length, bare, share: lines.length ? bare / lines.length : 0 };
}
