// Compaction history of the active session and the running totals. A
// summary is model text: it is shown with textContent inside <pre>, never
// parsed as HTML or markdown.
import { exact, formatTokens, h } from './dom';
import type { HistoryEntry, Totals } from './protocol';

export interface HistoryHandlers {
  isExpanded(id: string): boolean;
  onToggle(id: string, open: boolean): void;
  onRevert(entry: HistoryEntry): void;
  onOpenSummary(entry: HistoryEntry): void;
  /** Opens the context before and after this compaction side by side. */
  onOpenBeforeAfter?(entry: HistoryEntry): void;
  busy: boolean;
}

const SOURCE_TEXT: Record<HistoryEntry['source'], string> = { manual: 'manual', auto: 'automatic', partial: 'partial', idle: 'idle' };

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function totalsText(t: Totals): string {
  const by = (['manual', 'auto', 'partial', 'idle'] as const).filter((k) => t.bySource[k] > 0).map((k) => `${SOURCE_TEXT[k]} ${t.bySource[k]}`);
  return `${t.compactions} compaction${t.compactions === 1 ? '' : 's'} · ${exact(t.tokensSaved)} tokens saved${by.length ? ` (${by.join(', ')})` : ''}`;
}

/** "92% of tracked facts kept": requests, constraints, files changed, unresolved errors, last command outcomes (the lost ones were added back). */
function fidelityText(f: number): string {
  return `${Math.round(f * 100)}% of tracked facts kept${f < 1 ? ' (the rest added back from the log)' : ''}`;
}

function entryView(e: HistoryEntry, handlers: HistoryHandlers): HTMLElement {
  const details = h('details', { class: `entry${e.reverted ? ' reverted' : ''}`, 'data-compaction-id': e.id, 'data-testid': 'history-entry' });
  details.open = handlers.isExpanded(e.id);
  details.addEventListener('toggle', () => handlers.onToggle(e.id, details.open));
  const summaryLine = h(
    'summary',
    { 'data-focus-key': `entry-${e.id}` },
    h('span', { class: `source-pill source-${e.source}` }, SOURCE_TEXT[e.source]),
    h('span', { class: 'entry-tokens' }, `${formatTokens(e.beforeTokens)} → ${formatTokens(e.afterTokens)}`),
    h('span', { class: 'entry-saved' }, `−${e.savedPercent}%`),
    h('span', { class: 'entry-time muted' }, when(e.at)),
    e.reverted && h('span', { class: 'badge badge-reverted' }, 'reverted'),
    e.edited && h('span', { class: 'badge badge-edited', 'data-testid': 'badge-edited' }, 'edited'),
    e.prepared && h('span', { class: 'badge badge-prepared', 'data-testid': 'badge-prepared' }, 'prepared'),
  );
  const facts = h('dl', { class: 'facts' });
  const fact = (k: string, v: string) => facts.append(h('dt', {}, k), h('dd', {}, v));
  fact('Tokens', `${exact(e.beforeTokens)} → ${exact(e.afterTokens)} (saved ${exact(e.beforeTokens - e.afterTokens)})`);
  fact('Tiers', e.tiers.length ? e.tiers.map((t) => `${t.tier} ×${t.count}`).join(', ') : '—');
  fact('Strategy', e.strategy);
  fact('Duration', duration(e.durationMs));
  fact('Model', e.model ?? 'none (deterministic)');
  fact('Files restored', e.filesRestored.length ? e.filesRestored.join(', ') : 'none');
  if (e.instructions) fact('Instructions', e.instructions);
  if (e.fidelity !== undefined) fact('Fidelity', fidelityText(e.fidelity));
  if (e.edited) fact('Summary', 'edited in the preview before it applied');
  if (e.prepared) fact('Prepared', 'the summary was written in the background before the compaction point');
  const summary = h('pre', { class: 'summary-text', tabindex: 0, 'aria-label': 'Summary' });
  summary.textContent = e.summary || 'This compaction only masked old tool results; it has no summary.';
  const buttons = h('div', { class: 'buttons' });
  const open = h('button', { class: 'secondary', type: 'button' }, 'Open in Editor');
  open.addEventListener('click', () => handlers.onOpenSummary(e));
  buttons.append(open);
  if (handlers.onOpenBeforeAfter) {
    const diff = h('button', { class: 'secondary', type: 'button', 'data-testid': 'before-after' }, 'Before / After');
    diff.addEventListener('click', () => handlers.onOpenBeforeAfter?.(e));
    buttons.append(diff);
  }
  if (e.canRevert) {
    const revert = h('button', { type: 'button', 'data-testid': 'revert', 'data-focus-key': `revert-${e.id}`, disabled: handlers.busy }, 'Revert');
    revert.addEventListener('click', () => handlers.onRevert(e));
    buttons.append(revert);
  }
  details.append(summaryLine, facts, summary, buttons);
  return details;
}

/** "12 min ago" (the host's formatAgo, repeated here: the webview imports nothing from the host). */
function ago(iso: string): string {
  const min = Math.floor(Math.max(0, Date.now() - Date.parse(iso)) / 60_000);
  if (Number.isNaN(min)) return iso;
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const hours = Math.floor(min / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
}

export function renderHistory(
  entries: HistoryEntry[],
  sessionTotals: Totals,
  overall: Totals | undefined,
  handlers: HistoryHandlers,
  idle?: { compactedAt?: string; paused?: string },
): HTMLElement {
  const section = h('section', { class: 'history', 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, 'Compactions'));
  section.append(
    h(
      'p',
      { class: 'totals', 'data-testid': 'totals' },
      h('span', {}, `This session: ${totalsText(sessionTotals)}`),
      overall ? h('span', {}, `All sessions: ${totalsText(overall)}`) : undefined,
    ),
  );
  if (idle?.compactedAt) section.append(h('p', { class: 'idle-note', 'data-testid': 'idle-note' }, `Compacted while idle ${ago(idle.compactedAt)}`));
  if (idle?.paused) section.append(h('p', { class: 'idle-note warning', 'data-testid': 'idle-paused' }, idle.paused));
  if (entries.length === 0) {
    section.append(h('p', { class: 'muted' }, 'No compactions yet. Compact now, or let automatic compaction run at the auto-compact level.'));
    return section;
  }
  const list = h('div', { class: 'entries' });
  for (const e of entries) list.append(entryView(e, handlers));
  section.append(list);
  return section;
}
