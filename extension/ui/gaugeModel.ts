/**
 * What the status-bar context gauge shows, as a pure function of a usage
 * breakdown (no `vscode` here, so it is unit tested directly). usageGauge.ts
 * applies it to a StatusBarItem; the Context webview shows the same headline
 * (`gaugeHeadline`) so the two can never disagree.
 */
import type { Levels } from '../../src/compaction/budget';
import { USED_CATEGORIES, type UsageBreakdown } from '../../src/compaction/usage';
import { CATEGORY_LABELS } from './categories';
import { formatAgo, formatTokens } from './format';

export const SHOW_CONTEXT_COMMAND = 'compactor.showContext';
export const COMPACT_COMMAND = 'compactor.compactConversation';
/** The only commands the tooltip's trusted Markdown may run. */
export const GAUGE_TOOLTIP_COMMANDS: readonly string[] = [COMPACT_COMMAND, SHOW_CONTEXT_COMMAND];

/** Background of the item: none below warn, warning from warn, error from auto-compact. */
export type GaugeColour = 'none' | 'warning' | 'error';

export type EngineState = 'stopped' | 'starting' | 'running' | 'unavailable';

export interface GaugeInput {
  usage: UsageBreakdown;
  levels: Levels;
  sessionTitle?: string;
  engine?: { state: EngineState; reason?: string };
  /** When the context in use came from an idle compaction (epoch ms), and why idle compaction stopped, if it did. */
  idle?: { compactedAt?: number; paused?: string };
  /** Epoch ms, for "12 min ago" (defaults to Date.now()). */
  now?: number;
}

export interface GaugeModel {
  text: string;
  colour: GaugeColour;
  /** Markdown (trusted only for GAUGE_TOOLTIP_COMMANDS). */
  tooltip: string;
  accessibilityLabel: string;
}

const ICON = '$(dashboard)';

/** Percent shown everywhere (gauge, webview, `/usage`): a whole number, rounded. */
export function percentShown(usage: Pick<UsageBreakdown, 'percentUsed'>): number {
  return Math.max(0, Math.round(usage.percentUsed));
}

/** "62% · 81K/131K": the gauge's numbers, also the webview meter's headline. */
export function gaugeHeadline(usage: Pick<UsageBreakdown, 'percentUsed' | 'used' | 'effectiveWindow'>): string {
  return `${percentShown(usage)}% · ${formatTokens(usage.used)}/${formatTokens(usage.effectiveWindow)}`;
}

export function colourOf(level: UsageBreakdown['level']): GaugeColour {
  if (level === 'auto' || level === 'over') return 'error';
  if (level === 'warn') return 'warning';
  return 'none';
}

/** How the numbers were obtained, in words. */
export function sourceLabel(usage: Pick<UsageBreakdown, 'reported' | 'estimated'>): string {
  if (usage.reported) return 'corrected by provider-reported usage';
  if (usage.estimated) return 'estimated (no tokenizer available)';
  return 'counted locally with the tokenizer';
}

const LEVEL_WORDS: Record<UsageBreakdown['level'], string> = {
  ok: 'below the warn level',
  warn: 'at the warn level',
  auto: 'at the auto-compact level',
  over: 'over the effective window',
};

function n(value: number): string {
  return value.toLocaleString('en-US');
}

/** Escapes text (a session title) for Markdown, so it cannot form links or markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

function tooltipOf(input: GaugeInput): string {
  const { usage, levels } = input;
  const rows = [...USED_CATEGORIES, 'reservedOutput', 'free'] as const;
  const lines = [
    `**Context: ${gaugeHeadline(usage)} tokens** — ${LEVEL_WORDS[usage.level]}`,
    '',
    ...(input.sessionTitle ? [`Session: ${escapeMarkdown(input.sessionTitle)}`, ''] : []),
    '| Category | Tokens |',
    '|:--|--:|',
    ...rows.filter((c) => usage.categories[c] > 0 || c === 'free').map((c) => `| ${CATEGORY_LABELS[c]} | ${n(usage.categories[c])} |`),
    '',
    `Window ${n(usage.window)} · effective ${n(usage.effectiveWindow)} (window minus the output reserve)`,
    '',
    `Levels: warn ${levels.warnPercent}% · auto-compact ${levels.autoCompactPercent}% · target after compaction ${levels.targetPercent}%`,
    '',
    `Numbers: ${sourceLabel(usage)}`,
  ];
  if (input.idle?.compactedAt !== undefined) lines.push('', `$(history) Compacted while idle ${formatAgo((input.now ?? Date.now()) - input.idle.compactedAt)}`);
  if (input.idle?.paused) lines.push('', `$(warning) ${escapeMarkdown(input.idle.paused)}`);
  if (input.engine?.state === 'unavailable') {
    lines.push('', `$(warning) Compaction engine unavailable${input.engine.reason ? `: ${escapeMarkdown(input.engine.reason)}` : ''}. Counts are estimates until it is back.`);
  }
  lines.push('', `[$(fold) Compact Conversation](command:${COMPACT_COMMAND}) · [$(graph) Show Context](command:${SHOW_CONTEXT_COMMAND})`);
  return lines.join('\n');
}

export function gaugeModel(input: GaugeInput): GaugeModel {
  const { usage } = input;
  const percent = percentShown(usage);
  const estimated = usage.estimated ? ', estimated' : '';
  return {
    text: `${ICON} ${gaugeHeadline(usage)}`,
    colour: colourOf(usage.level),
    tooltip: tooltipOf(input),
    accessibilityLabel: `Context ${percent}% used: ${n(usage.used)} of ${n(usage.effectiveWindow)} tokens, ${LEVEL_WORDS[usage.level]}${estimated}. Activate to show the context.`,
  };
}
