/** The usage breakdown as a fixed-width text table (what `compactor stats` prints). */
import { USAGE_CATEGORY_LABELS, type UsageBreakdown, type UsageCategory } from '../usage';

const LABELS = USAGE_CATEGORY_LABELS;

const num = (n: number) => n.toLocaleString('en-US');
const pct = (n: number, of: number) => (of > 0 ? `${((n / of) * 100).toFixed(1)}%` : '-');

export interface StatsHeading {
  file: string;
  format: string;
  messages: number;
  model?: string;
  encoding: string;
}

export function formatStatsTable(h: StatsHeading, u: UsageBreakdown): string {
  const rows: Array<[string, string, string]> = [];
  for (const key of Object.keys(LABELS) as UsageCategory[]) {
    rows.push([LABELS[key], num(u.categories[key]), pct(u.categories[key], u.window)]);
  }
  const labelWidth = Math.max(...rows.map((r) => r[0].length), 'Category'.length);
  const numWidth = Math.max(...rows.map((r) => r[1].length), num(u.used).length, 'Tokens'.length);
  const line = (a: string, b: string, c: string) => `${a.padEnd(labelWidth)}  ${b.padStart(numWidth)}  ${c.padStart(7)}`;
  const counted = u.estimated ? 'estimated (chars/4)' : u.reported ? `${h.encoding}, corrected by reported usage` : h.encoding;
  return [
    `${h.file} (${h.format}, ${h.messages} messages${h.model ? `, ${h.model}` : ''})`,
    `Window ${num(u.window)} tokens; effective ${num(u.effectiveWindow)}; counted with ${counted}`,
    '',
    line('Category', 'Tokens', 'Window'),
    line('-'.repeat(labelWidth), '-'.repeat(numWidth), '-------'),
    ...rows.map((r) => line(...r)),
    line('-'.repeat(labelWidth), '-'.repeat(numWidth), '-------'),
    `${line('Used', num(u.used), pct(u.used, u.window))}   ${u.percentUsed.toFixed(1)}% of effective, level ${u.level}`,
  ].join('\n');
}
