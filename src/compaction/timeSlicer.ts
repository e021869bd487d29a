/**
 * Time slicing for long synchronous work in a process that must stay
 * responsive (the extension host: a 2 MB transcript validated and serialized
 * in one go stalls every other extension for ~100 ms). The work checks
 * `due()` between small steps and awaits `yield()` when the current slice has
 * run `budgetMs`; the yield is a macrotask, so timers and I/O get their turn.
 *
 * Callers that need no slicing (the server, the CLI, tests) pass NO_SLICING,
 * whose slices never end, so the work runs exactly as one synchronous loop
 * apart from the awaits.
 */

/** How long one slice may run before the work gives the event loop a turn (ms). Well under the 50 ms a stall is noticed at. */
export const SLICE_BUDGET_MS = 8;

export interface TimeSlicer {
  /** True when the current slice has used its budget. */
  due(): boolean;
  /** Gives the event loop a turn, then starts a new slice. */
  yield(): Promise<void>;
}

export interface TimeSlicerOptions {
  budgetMs?: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
  /** One turn of the event loop (tests inject their own). */
  turn?: () => Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createTimeSlicer(options: TimeSlicerOptions = {}): TimeSlicer {
  const budget = options.budgetMs ?? SLICE_BUDGET_MS;
  const now = options.now ?? (() => performance.now());
  const turn = options.turn ?? nextTurn;
  let started = now();
  return {
    due: () => now() - started >= budget,
    async yield() {
      await turn();
      started = now();
    },
  };
}

/** Never due: the work runs in one slice. */
export const NO_SLICING: TimeSlicer = { due: () => false, yield: () => Promise.resolve() };

/** Yields when the slice is over; otherwise resolves at once (a microtask, no turn of the event loop). */
export async function pause(slicer: TimeSlicer): Promise<void> {
  if (slicer.due()) await slicer.yield();
}

/** `items.map(fn)`, yielding between items whenever a slice is over; an exception stops it and rejects. */
export async function mapInSlices<T, R>(items: readonly T[], fn: (item: T, index: number) => R, slicer: TimeSlicer): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && slicer.due()) await slicer.yield();
    out.push(fn(items[i] as T, i));
  }
  return out;
}
