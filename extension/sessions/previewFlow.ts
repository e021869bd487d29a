/**
 * The preview of a compaction (issue 14): propose, let a person read and edit
 * the summary, then apply or discard. No vscode import: proposing, the editor
 * (`review`) and applying are injected, so each state is unit-tested.
 *
 * States: not proposed (nothing to compact: the person is told why) → open →
 * applied (as proposed, or edited: recounted and recorded as edited) |
 * discarded (Discard, or the editor closed) | stale (the session was compacted,
 * reverted or rewound while the preview was open: "the session changed;
 * compact again"). An edit that cannot apply (an empty summary, one that makes
 * the context bigger) keeps the preview open and says why.
 */
import type { CompactResponse } from '../../src/compaction/protocol';
import type { CompactionReport } from '../../src/compaction/types';
import { type ApplyOptions, InvalidEditError, isEdited, type Proposal, type ProposeResult, StaleProposalError } from './proposals';

export type PreviewDecision = { action: 'apply'; summary: string } | { action: 'discard'; how: 'discarded' | 'closed' };

export interface PreviewHost {
  propose(): Promise<ProposeResult>;
  /** Opens the preview the first time; resolves with the person's next decision. */
  review(proposal: Proposal): Promise<PreviewDecision>;
  /** Shows why an Apply did not go through while the preview stays open. */
  problem(proposal: Proposal, message: string): void;
  apply(proposal: Proposal, options: ApplyOptions): Promise<CompactResponse>;
  /** Closes the preview (after any outcome). */
  close(proposal: Proposal): Promise<void>;
}

export type PreviewOutcome =
  | { state: 'not_proposed'; report: CompactionReport }
  | { state: 'discarded'; how: 'discarded' | 'closed'; proposal: Proposal }
  | { state: 'applied'; result: CompactResponse; edited: boolean }
  | { state: 'stale'; message: string; proposal: Proposal };

export async function previewCompaction(host: PreviewHost): Promise<PreviewOutcome> {
  const proposed = await host.propose();
  if (proposed.status !== 'proposed') return { state: 'not_proposed', report: proposed.report };
  const { proposal } = proposed;
  try {
    for (;;) {
      const decision = await host.review(proposal);
      if (decision.action === 'discard') return { state: 'discarded', how: decision.how, proposal };
      const edited = isEdited(proposal.record, decision.summary);
      try {
        const result = await host.apply(proposal, edited ? { summary: decision.summary } : {});
        return { state: 'applied', result, edited };
      } catch (err) {
        if (err instanceof StaleProposalError) return { state: 'stale', message: err.message, proposal };
        if (err instanceof InvalidEditError) {
          host.problem(proposal, err.message);
          continue;
        }
        throw err;
      }
    }
  } finally {
    await host.close(proposal);
  }
}
