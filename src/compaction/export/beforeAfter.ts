/**
 * The before/after view of one compaction (DESIGN.md, Second milestone:
 * Control): the context just before the compaction and just after it, each as
 * readable Markdown, so a person can diff them side by side and check that
 * nothing they needed went away. Pure: the extension host serves the two
 * texts as read-only documents and opens `vscode.diff` on them.
 *
 * Invariants:
 * - "Before" is the fold of the log up to the compaction record, "after" the
 *   fold including it (context.ts), so later records (reverts, pins, newer
 *   compactions) do not change what this compaction did.
 * - Each verbatim message renders the same on both sides (same heading, same
 *   text), so a diff aligns them and shows only what changed: covered
 *   messages gone and the summary in their place, masked results as stubs,
 *   restored files as attachments.
 * - `anchors` give the line of each message's heading, for lenses (Pin).
 */
import { contextOf, contextTokens } from '../context';
import type { CompactionRecord, Part, SessionLog } from '../records';
import { argsText } from '../tokens/counter';
import type { ContextMessage } from '../types';
import { fence } from './markdown';

/** A tool result longer than this is cut in the middle in the view (the log keeps it whole; recall returns it). */
const RESULT_VIEW_MAX_CHARS = 4_000;

export interface ContextDocument {
  text: string;
  /** 0-based line of each message heading, with its message id. */
  anchors: { line: number; messageId: string }[];
}

export interface BeforeAfter {
  record: CompactionRecord;
  before: ContextDocument;
  after: ContextDocument;
}

function cut(text: string): string {
  if (text.length <= RESULT_VIEW_MAX_CHARS) return text;
  const half = RESULT_VIEW_MAX_CHARS / 2;
  return `${text.slice(0, half)}\n[… ${(text.length - RESULT_VIEW_MAX_CHARS).toLocaleString('en-US')} characters not shown here …]\n${text.slice(-half)}`;
}

function partText(p: Part): string {
  switch (p.type) {
    case 'text':
      return p.text;
    case 'image':
      return `[image${p.ref ? `: ${p.ref}` : ''}]`;
    case 'document':
      return `[document${p.name ? `: ${p.name}` : ''}]`;
    case 'thinking':
      return `> (thinking, ${p.text.length.toLocaleString('en-US')} characters)`;
    case 'tool_call':
      return `→ \`${p.name}\` ${fence(argsText(p.args))}`;
    case 'tool_result':
      return `← result of \`${p.name ?? 'tool'}\`${p.isError ? ' (error)' : ''}\n${fence(cut(p.text))}`;
  }
}

const KIND_TITLE: Record<ContextMessage['kind'], string> = { system: 'System prompt', summary: 'Summary', attachment: 'Attachment', message: '' };

/** A context as Markdown: one `###` heading per message, then its parts. */
export function renderContext(title: string, intro: readonly string[], context: readonly ContextMessage[]): ContextDocument {
  const lines: string[] = [`# ${title}`, '', ...intro, ''];
  const anchors: ContextDocument['anchors'] = [];
  context.forEach((m) => {
    const who = m.kind === 'message' ? m.role : KIND_TITLE[m.kind];
    const pin = m.pinned ? ' · pinned' : '';
    if (m.messageId) anchors.push({ line: lines.length, messageId: m.messageId });
    lines.push(`### ${who}${pin} · ${m.tokens.toLocaleString('en-US')} tokens${m.messageId ? ` · \`${m.messageId}\`` : ''}`, '');
    for (const p of m.parts) lines.push(...partText(p).split('\n'), '');
  });
  return { text: lines.join('\n'), anchors };
}

/** Before and after documents of compaction `compactionId`; undefined when the log has no such compaction. */
export function beforeAfterOf(log: SessionLog, compactionId: string): BeforeAfter | undefined {
  const index = log.records.findIndex((r) => r.type === 'compaction' && r.id === compactionId);
  const record = log.records[index];
  if (record?.type !== 'compaction') return undefined;
  const before = contextOf({ header: log.header, records: log.records.slice(0, index) });
  const after = contextOf({ header: log.header, records: log.records.slice(0, index + 1) });
  const afterIds = new Set(after.map((m) => m.messageId).filter((id) => id !== undefined));
  const gone = before.filter((m) => m.messageId !== undefined && !afterIds.has(m.messageId)).length;
  const masked = record.tiers.find((t) => t.tier === 'mask')?.count ?? 0;
  const when = new Date(record.at).toISOString().replace('T', ' ').slice(0, 19);
  const facts = [
    `Compaction \`${record.id}\` · ${record.source} · ${record.strategy} · ${when} UTC`,
    '',
    `- Messages summarized or dropped: ${gone}`,
    `- Tool results masked: ${masked}`,
    `- Files restored: ${record.attachments.length ? record.attachments.map((a) => `\`${a.path}\``).join(', ') : 'none'}`,
  ];
  return {
    record,
    before: renderContext('Context before the compaction', [...facts, `- Tokens: ${contextTokens(before).toLocaleString('en-US')}`], before),
    after: renderContext('Context after the compaction', [...facts, `- Tokens: ${contextTokens(after).toLocaleString('en-US')}`], after),
  };
}
