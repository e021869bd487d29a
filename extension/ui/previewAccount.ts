/**
 * The readable account shown beside a compaction's preview: what the proposed
 * summary replaces (messages covered, tokens before → after, what masking
 * removed, files restored, the fidelity when the record has one). Markdown;
 * no vscode import, so it is unit-tested.
 */
import { activeCompaction, messagesOf } from '../../src/compaction/context';
import type { CompactionRecord, MessageRecord, SessionLog } from '../../src/compaction/records';
import { formatTokens } from './format';

/** Covered messages listed one line each, at most this many (the rest are counted). */
const MAX_LISTED = 40;
const EXCERPT_CHARS = 120;

function excerpt(m: MessageRecord): string {
  const text = m.parts
    .map((p) => (p.type === 'text' || p.type === 'thinking' ? p.text : p.type === 'tool_call' ? `[${p.name}]` : p.type === 'tool_result' ? `[result of ${p.name ?? 'a tool'}]` : `[${p.type}]`))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  const short = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
  // Inline code spans cannot hold backticks safely; the excerpt is for reading, not copying.
  return short.replace(/`/g, "'");
}

/** The record's fidelity (fidelity.ts: tracked facts the summary kept, before the lost ones were added back), when it has one. */
export function fidelityText(record: CompactionRecord): string | undefined {
  const f = record.fidelity;
  if (f === undefined) return undefined;
  return `${Math.round(f * 100)}% of tracked facts kept${f < 1 ? ' (the rest added back from the log)' : ''}`;
}

export function previewAccount(log: SessionLog, record: CompactionRecord): string {
  const byId = new Map(messagesOf(log).map((m) => [m.id, m]));
  const previouslyCovered = new Set(activeCompaction(log)?.covered ?? []);
  const newlyCovered = record.covered.filter((id) => !previouslyCovered.has(id)).map((id) => byId.get(id)).filter((m): m is MessageRecord => m !== undefined);
  const saved = record.before.tokens > 0 ? Math.round(((record.before.tokens - record.after.tokens) / record.before.tokens) * 100) : 0;
  const masked = record.replaced
    .map((r) => ({ r, m: byId.get(r.messageId) }))
    .filter((x): x is { r: CompactionRecord['replaced'][number]; m: MessageRecord } => x.m !== undefined && x.m.tokens > x.r.tokens);
  const maskedTokens = masked.reduce((n, x) => n + (x.m.tokens - x.r.tokens), 0);
  const fidelity = fidelityText(record);
  const lines = [
    '# What this compaction replaces',
    '',
    `Session: ${log.header.title ?? log.header.id} · source: ${record.source} · strategy: ${record.strategy}${record.model ? ` · model: ${record.model}` : ''}`,
    '',
    `- **Tokens:** ${formatTokens(record.before.tokens)} → ${formatTokens(record.after.tokens)} (saved ${saved}%; the summary itself: ${formatTokens(record.summaryTokens)})`,
    `- **Messages:** ${record.before.messages} → ${record.after.messages} in the context; ${newlyCovered.length} replaced by the summary${previouslyCovered.size ? ` (plus ${previouslyCovered.size} an earlier summary already covered, folded in)` : ''}`,
    `- **Masking:** ${masked.length ? `${masked.length} old tool result(s) become short stubs, ${formatTokens(maskedTokens)} tokens removed (the whole results stay in the log)` : 'no tool results masked'}`,
    `- **Files restored:** ${record.attachments.length ? record.attachments.map((a) => `\`${a.path}\``).join(', ') : 'none'}`,
    ...(fidelity ? [`- **Fidelity:** ${fidelity}`] : []),
    ...(record.instructions ? [`- **Instructions:** ${record.instructions}`] : []),
    '',
    '## Messages the summary replaces',
    '',
    ...newlyCovered.slice(0, MAX_LISTED).map((m) => `- ${m.role} (${formatTokens(m.tokens)} tokens): ${excerpt(m)}`),
    ...(newlyCovered.length > MAX_LISTED ? [`- … and ${newlyCovered.length - MAX_LISTED} more`] : []),
    ...(masked.length
      ? ['', '## Tool results masked', '', ...masked.slice(0, MAX_LISTED).map((x) => `- ${excerpt(x.m)}: ${formatTokens(x.m.tokens)} → ${formatTokens(x.r.tokens)} tokens`)]
      : []),
    '',
    '---',
    '',
    'Edit the summary in the editor beside this one, then **Apply** (✓ in the editor title, or the lens above the summary). **Discard**, or closing the summary, leaves the session unchanged.',
    'Messages added meanwhile stay verbatim after the summary. If the session is compacted, reverted or a request is edited or retried meanwhile, Apply says so: compact again.',
    '',
  ];
  return lines.join('\n');
}
