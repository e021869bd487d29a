/**
 * Background preparation (issue 15): when a session crosses the preparation
 * level (`compactor.levels.preparePercent`, a little under auto-compact), the
 * next compaction is proposed in the background, so that auto-compaction
 * applies it at once instead of waiting for the summary model. No vscode
 * import: the session facts, the proposing and the clock are injected, so the
 * lifecycle runs in unit tests with a fake model and clock.
 *
 * Invariants:
 * - At most one preparation per session (running or ready).
 * - A preparation is only ever applied while still valid: its log plus new
 *   messages (src/compaction/proposal.ts `changeSince`). A compaction, revert or
 *   rewind since makes it stale: a ready one is dropped, a running one cancelled.
 * - A compaction other than the automatic one (manual, partial, idle), deleting
 *   the session and disposing cancel it; the automatic one claims it.
 * - A failed preparation is not retried until the session changes by more than
 *   new messages (a compaction, revert or rewind): auto-compaction then does a
 *   normal compaction (the fallback), never a retry loop.
 */
import { changeSince, type LogMark, markOf } from '../../src/compaction/proposal';
import type { SessionLog } from '../../src/compaction/records';
import { type Proposal, StaleProposalError } from './proposals';
import { errorMessage } from '../../src/compaction/errors';

export interface PreparationFacts {
  log: SessionLog;
  /** Tokens of the context as it would be sent now. */
  usedTokens: number;
  effectiveWindow: number;
}

export interface PreparationHost {
  /** 0 = off; validated below the auto-compact level (settings.ts). */
  preparePercent(): number;
  /** Undefined when the session is not loaded. */
  facts(id: string): PreparationFacts | undefined;
  /** Why not to prepare now (auto-compaction off or paused, another compaction or idle compaction running); undefined = go. */
  blockedBecause(id: string): string | undefined;
  /** Proposes the next automatic compaction; undefined when nothing was proposed (the reason is logged by the host). */
  propose(id: string, signal: AbortSignal): Promise<Proposal | undefined>;
  log(message: string): void;
  now(): number;
}

type Entry =
  | { state: 'running'; mark: LogMark; controller: AbortController; done: Promise<Proposal | undefined>; startedAt: number }
  | { state: 'ready'; proposal: Proposal; readyAt: number }
  | { state: 'failed'; mark: LogMark; reason: string };

export type PreparationState = Entry['state'] | 'none';

/** The tokens at which a session is prepared for; undefined when preparation is off or the window unknown. */
export function prepareThreshold(effectiveWindow: number, preparePercent: number): number | undefined {
  if (!(preparePercent > 0) || !(effectiveWindow > 0)) return undefined;
  return Math.floor((effectiveWindow * preparePercent) / 100);
}

export class Preparations {
  private readonly entries = new Map<string, Entry>();
  private disposed = false;

  constructor(private readonly host: PreparationHost) {}

  state(id: string): PreparationState {
    return this.entries.get(id)?.state ?? 'none';
  }

  isRunning(id: string): boolean {
    return this.entries.get(id)?.state === 'running';
  }

  /**
   * The session's log changed (messages appended, a compaction, revert or
   * rewind): drops or cancels a preparation that is no longer valid, then
   * (unless `mayStart` is false: only new messages cross the level) starts one
   * when the session is at the preparation level.
   */
  changed(id: string, options: { mayStart?: boolean } = {}): void {
    const entry = this.entries.get(id);
    const facts = this.host.facts(id);
    if (entry && facts) {
      const mark = entry.state === 'ready' ? entry.proposal.mark : entry.mark;
      const change = changeSince(mark, facts.log);
      if (!change.ok) {
        if (entry.state === 'failed') this.entries.delete(id);
        else this.cancel(id, change.reason);
      }
    }
    if (options.mayStart ?? true) this.maybeStart(id);
  }

  /** Cancels a running preparation and drops a ready one (a manual compaction started, the session closed, …). */
  cancel(id: string, why: string): void {
    const entry = this.entries.get(id);
    if (!entry || entry.state === 'failed') return;
    this.entries.delete(id);
    if (entry.state === 'running') {
      entry.controller.abort();
      this.host.log(`session ${id}: background preparation cancelled: ${why}`);
    } else this.host.log(`session ${id}: prepared compaction dropped: ${why}`);
  }

  /** The session is gone (deleted): cancel and forget its failures. */
  forget(id: string): void {
    this.cancel(id, 'the session was closed');
    this.entries.delete(id);
  }

  /**
   * For the automatic compaction: the prepared proposal, taken (a running
   * preparation is awaited: it is already doing the work a fresh compaction
   * would start). Undefined when there is none, it failed, or it is stale; the
   * caller then compacts normally. The caller checks validity once more when
   * applying (proposals.ts).
   */
  async claim(id: string): Promise<Proposal | undefined> {
    let entry = this.entries.get(id);
    if (entry?.state === 'running') {
      await entry.done.catch(() => undefined);
      entry = this.entries.get(id);
    }
    if (entry?.state !== 'ready') return undefined;
    this.entries.delete(id);
    const facts = this.host.facts(id);
    const change = facts ? changeSince(entry.proposal.mark, facts.log) : { ok: false as const, reason: 'the session is not loaded' };
    if (!change.ok) {
      this.host.log(`session ${id}: prepared compaction dropped: ${change.reason}`);
      return undefined;
    }
    return entry.proposal;
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.entries.keys()]) this.cancel(id, 'the extension is shutting down');
    this.entries.clear();
  }

  private maybeStart(id: string): void {
    if (this.disposed || this.entries.has(id)) return;
    const facts = this.host.facts(id);
    if (!facts) return;
    const threshold = prepareThreshold(facts.effectiveWindow, this.host.preparePercent());
    if (threshold === undefined || facts.usedTokens < threshold) return;
    const blocked = this.host.blockedBecause(id);
    if (blocked) return;
    const controller = new AbortController();
    const startedAt = this.host.now();
    const entry: Entry = { state: 'running', mark: markOf(facts.log), controller, startedAt, done: Promise.resolve(undefined) };
    this.host.log(`session ${id}: at ${facts.usedTokens} tokens (preparation level ${threshold}): preparing the next compaction in the background`);
    this.entries.set(id, entry);
    entry.done = this.run(id, entry);
  }

  private async run(id: string, entry: Extract<Entry, { state: 'running' }>): Promise<Proposal | undefined> {
    let proposal: Proposal | undefined;
    let failure: string | undefined;
    try {
      proposal = await this.host.propose(id, entry.controller.signal);
      if (!proposal) failure = 'nothing was proposed';
    } catch (err) {
      failure = errorMessage(err);
    }
    // Cancelled, or replaced meanwhile: the entry is not ours any more.
    if (this.entries.get(id) !== entry || entry.controller.signal.aborted) return undefined;
    if (proposal) {
      this.entries.set(id, { state: 'ready', proposal, readyAt: this.host.now() });
      this.host.log(`session ${id}: compaction prepared in ${Math.round(this.host.now() - entry.startedAt)} ms`);
      return proposal;
    }
    this.entries.set(id, { state: 'failed', mark: entry.mark, reason: failure ?? 'unknown' });
    this.host.log(`session ${id}: background preparation failed (${failure ?? 'unknown'}); automatic compaction will compact normally`);
    return undefined;
  }
}

/**
 * The automatic compaction's path: a still-valid prepared proposal is applied
 * (no summary request); without one, or when applying finds it stale, the
 * normal compaction runs (the fallback for failed or stale preparations).
 */
export async function compactPreparedOrNow<T>(
  preparations: Pick<Preparations, 'claim'>,
  id: string,
  applyPrepared: (proposal: Proposal) => Promise<T>,
  compactNow: () => Promise<T>,
  log: (message: string) => void,
): Promise<T> {
  const prepared = await preparations.claim(id);
  if (prepared) {
    try {
      return await applyPrepared(prepared);
    } catch (err) {
      if (!(err instanceof StaleProposalError)) throw err;
      log(`session ${id}: the prepared compaction was not used (${err.reason}); compacting now`);
    }
  }
  return compactNow();
}
