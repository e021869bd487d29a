/**
 * When the compaction server crashes: restart it, after how long, or give up.
 * Pure (no vscode), so the policy is unit-tested in plain Node
 * (test/unit/serverClient/restartPolicy.test.ts); EngineClient keeps the crash
 * times and applies the decision.
 *
 * Invariants: only crashes within `windowMs` of now count; more than
 * `maxRestarts` of them → give up; otherwise the delay doubles per recent
 * crash from `baseDelayMs`, capped at `maxDelayMs`. After giving up the engine
 * may start again (on the next request) once enough crashes have aged out of
 * the window, or at once when the user restarts it (history cleared).
 */

export interface RestartPolicy {
  /** Restarts allowed within the window; one more crash and we stop. */
  maxRestarts: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** 5 crashes in 3 minutes means a bug, not bad luck: stop and tell the user. */
export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = Object.freeze({
  maxRestarts: 5,
  windowMs: 3 * 60_000,
  /** Quick enough that one crash is barely noticed. */
  baseDelayMs: 500,
  /** Long enough that a crash loop does not eat a core. */
  maxDelayMs: 15_000,
});

export type RestartDecision =
  | { restart: true; delayMs: number; /** 1 for the first restart in the window. */ attempt: number; crashes: number[] }
  | { restart: false; crashes: number[]; reason: string };

/** Crash times still inside the window, oldest first. */
export function recentCrashes(crashes: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number[] {
  return crashes.filter((t) => t <= now && now - t < policy.windowMs).sort((a, b) => a - b);
}

/** The decision after a crash at `now`, given earlier crash times. `crashes` is the history to keep. */
export function decideRestart(previous: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): RestartDecision {
  const crashes = [...recentCrashes(previous, now, policy), now];
  if (crashes.length > policy.maxRestarts) {
    return {
      restart: false,
      crashes,
      reason: `the engine crashed ${crashes.length} times in ${formatWindow(policy.windowMs)}`,
    };
  }
  const attempt = crashes.length;
  const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { restart: true, delayMs, attempt, crashes };
}

/** After giving up: whether a request may start the engine again now. */
export function mayStartAgain(crashes: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): boolean {
  return recentCrashes(crashes, now, policy).length < policy.maxRestarts;
}

function formatWindow(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${Math.round(ms / 1000)} seconds`;
}
