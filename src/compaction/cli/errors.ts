/** A failure the CLI reports as one line on stderr with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 2: bad command line; 1: bad input (file, format, content). */
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A non-negative integer flag value, or a CliError naming the flag. */
export function intFlag(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  // A 400-digit number is Infinity: only safe integers are counts.
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new CliError(`--${name} must be an integer from ${min} to ${Number.MAX_SAFE_INTEGER} (got "${value.length > 40 ? `${value.slice(0, 40)}…` : value}")`, 2);
  }
  return Number(value);
}
