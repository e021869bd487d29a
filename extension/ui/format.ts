import type { CompactionReport } from '../../src/compaction/types';

/** How long ago, coarsely: "just now", "12 min ago", "3 h ago", "2 days ago". */
export function formatAgo(ms: number): string {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** 81234 → "81K", 1_250_000 → "1.3M", 950 → "950". */
export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}K`;
  if (n >= 1000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}K`;
  return String(n);
}

export function savedPercent(report: Pick<CompactionReport, 'before' | 'tokensSaved'>): number {
  return report.before.tokens > 0 ? Math.round((report.tokensSaved / report.before.tokens) * 100) : 0;
}

/** "Compacted: 81K → 22K tokens (saved 73%, mask ×4, summarize ×1)". */
export function compactionLine(report: CompactionReport): string {
  const tiers = report.tiers.filter((t) => t.count > 0).map((t) => `${t.tier} ×${t.count}`);
  const fidelity = report.fidelity !== undefined ? `, fidelity ${Math.round(report.fidelity * 100)}%` : '';
  // Pins kept verbatim are named; when they keep the result over the target, the report's note says so (never dropped).
  const pins = report.pins ? `; ${report.pins.note ?? `${report.pins.messages} pinned kept verbatim`}` : '';
  const flags = [...(report.edited ? ['summary edited'] : []), ...(report.prepared ? ['prepared in the background'] : [])];
  return `Compacted: ${formatTokens(report.before.tokens)} → ${formatTokens(report.after.tokens)} tokens (saved ${savedPercent(report)}%${tiers.length ? `, ${tiers.join(', ')}` : ''}${fidelity}${pins})${flags.length ? ` · ${flags.join(', ')}` : ''}`;
}

/**
 * The sentence after a revert: "Reverted the manual compaction; the context is back to 81K tokens."
 * With `detail` (the chat's /revert) it also says when that compaction was made and what the
 * context now rests on: "Reverted the manual compaction of <date>: the context is back to 81K tokens (the full transcript)."
 */
export function revertedLine(source: string, usedTokens: number, detail?: { at: string; earlierApplies: boolean }): string {
  const tokens = formatTokens(usedTokens);
  if (!detail) return `Reverted the ${source} compaction; the context is back to ${tokens} tokens.`;
  const rest = detail.earlierApplies ? ' (an earlier compaction still applies)' : ' (the full transcript)';
  return `Reverted the ${source} compaction of ${new Date(detail.at).toLocaleString()}: the context is back to ${tokens} tokens${rest}.`;
}
