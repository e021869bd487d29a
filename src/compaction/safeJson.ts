/**
 * JSON for values of any depth. `JSON.parse` reads 100,000-deep input fine,
 * but `JSON.stringify` recurses and overflows the stack around 5,000 levels
 * (issue 16: deep tool arguments crashed the CLI and the Markdown export).
 * Tool-call arguments deeper than MAX_ARGS_DEPTH are kept as their JSON text
 * (nothing lost), written by the iterative `stringifyDeep`.
 */

/** Deeper tool arguments are stored as their JSON text, not as an object. */
export const MAX_ARGS_DEPTH = 256;

/** True when `value` nests objects/arrays deeper than `max` (iterative). */
export function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** `JSON.stringify(value, null, indent)` without recursion (same output for plain JSON values). */
export function stringifyDeep(value: unknown, indent = 0): string {
  const pad = (depth: number) => (indent > 0 ? `\n${' '.repeat(indent * depth)}` : '');
  const sep = indent > 0 ? ': ' : ':';
  const out: string[] = [];
  type Frame = { kind: 'value'; v: unknown; depth: number } | { kind: 'text'; s: string };
  const stack: Frame[] = [{ kind: 'value', v: value, depth: 0 }];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (f.kind === 'text') {
      out.push(f.s);
      continue;
    }
    const v = f.v as { toJSON?: () => unknown } | null;
    if (typeof v !== 'object' || v === null || typeof v.toJSON === 'function') {
      out.push(JSON.stringify(v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v) ?? 'null');
      continue;
    }
    const frames: Frame[] = [];
    if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push('[]');
        continue;
      }
      frames.push({ kind: 'text', s: '[' });
      v.forEach((item, i) => {
        frames.push({ kind: 'text', s: `${i > 0 ? ',' : ''}${pad(f.depth + 1)}` });
        frames.push({ kind: 'value', v: item, depth: f.depth + 1 });
      });
      frames.push({ kind: 'text', s: `${pad(f.depth)}]` });
    } else {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
      if (entries.length === 0) {
        out.push('{}');
        continue;
      }
      frames.push({ kind: 'text', s: '{' });
      entries.forEach(([k, x], i) => {
        frames.push({ kind: 'text', s: `${i > 0 ? ',' : ''}${pad(f.depth + 1)}${JSON.stringify(k)}${sep}` });
        frames.push({ kind: 'value', v: x, depth: f.depth + 1 });
      });
      frames.push({ kind: 'text', s: `${pad(f.depth)}}` });
    }
    for (let i = frames.length - 1; i >= 0; i--) stack.push(frames[i]!);
  }
  return out.join('');
}

/**
 * `JSON.stringify`, falling back to the iterative writer, without indentation
 * (indenting is quadratic in the depth), when the value is too deep for the stack.
 */
export function stringifySafe(value: unknown, indent = 0): string {
  try {
    return JSON.stringify(value, null, indent);
  } catch (err) {
    if (err instanceof RangeError) return stringifyDeep(value);
    throw err;
  }
}
