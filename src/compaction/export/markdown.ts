/**
 * A session log as Markdown, for "export session" (the extension's export and
 * "open session"): the header, then every message in order (the full
 * transcript, not only the current context) with its time, and compactions
 * (their summaries and restored files), reverts, pins and rewinds shown where
 * they happened. Tool arguments and results are fenced; long or noisy blocks
 * (system prompt, tool results, thinking, summaries, restored files) sit in
 * `<details>` so the page reads as the conversation.
 */
import { stringifySafe } from '../safeJson';
import type { CompactionRecord, MessageRecord, Part, SessionLog } from '../records';

export interface MarkdownOptions {
  /** Include thinking blocks (default true). */
  thinking?: boolean;
}

/** A code fence longer than any run of backticks in `text`, so the text cannot close it. */
export function fence(text: string, lang = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${lang}\n${text}\n${ticks}`;
}

function details(summary: string, body: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A title on one line, so it stays one heading. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function renderPart(part: Part, options: MarkdownOptions): string | undefined {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'image':
      return `*[image${part.ref ? `: ${part.ref}` : ''}]*`;
    case 'document':
      return `*[document${part.name ? `: ${part.name}` : ''}]*`;
    case 'thinking':
      return options.thinking === false ? undefined : details('Thinking', part.text.split('\n').map((l) => `> ${l}`).join('\n'));
    case 'tool_call': {
      const args = typeof part.args === 'string' ? part.args : stringifySafe(part.args, 2);
      return `**Tool call** \`${part.name}\` (\`${part.id}\`)\n\n${fence(args, typeof part.args === 'string' ? '' : 'json')}`;
    }
    case 'tool_result': {
      const label = `Result${part.name ? ` of ${part.name}` : ''} for ${part.callId}${part.isError ? ' (error)' : ''} · ${part.text.length} chars`;
      return details(label, fence(part.text));
    }
  }
}

const ROLE_TITLE: Record<MessageRecord['role'], string> = { user: 'User', assistant: 'Assistant', tool: 'Tool' };

function renderMessage(m: MessageRecord, options: MarkdownOptions): string {
  const turn = m.turn !== undefined ? ` · turn ${m.turn}` : '';
  const head = `### ${ROLE_TITLE[m.role]}${turn} · ${m.tokens} tokens`;
  const body = m.parts.map((p) => renderPart(p, options)).filter((s): s is string => s !== undefined);
  return [head, `<sub>${escapeHtml(m.at)}</sub>`, ...body].join('\n\n');
}

function renderCompaction(c: CompactionRecord): string {
  const lines = [
    `> **Compaction** \`${c.id}\` (${c.source}, ${c.strategy}): ${c.before.tokens} → ${c.after.tokens} tokens, ` +
      `${c.before.messages} → ${c.after.messages} messages; ${c.covered.length} messages covered; at ${c.at}${c.model ? ` by ${c.model}` : ''}.`,
  ];
  if (c.summary) lines.push(details('Summary', c.summary));
  for (const a of c.attachments) lines.push(details(`Restored ${a.path}`, fence(a.text)));
  return lines.join('\n\n');
}

export function toMarkdown(log: SessionLog, options: MarkdownOptions = {}): string {
  const h = log.header;
  const out: string[] = [`# ${oneLine(h.title ?? `Session ${h.id}`)}`];
  const meta = [
    `- Session: \`${h.id}\``,
    `- Created: ${h.createdAt}`,
    h.model ? `- Model: ${h.model.id}${h.model.vendor ? ` (${h.model.vendor})` : ''}` : undefined,
    h.importedFrom ? `- Imported from: ${h.importedFrom}` : undefined,
    `- Messages: ${log.records.filter((r) => r.type === 'message').length}`,
  ].filter((l): l is string => l !== undefined);
  out.push(meta.join('\n'));
  if (h.systemPrompt) out.push(details(`System prompt${h.systemTokens !== undefined ? ` · ${h.systemTokens} tokens` : ''}`, fence(h.systemPrompt)));
  for (const r of log.records) {
    if (r.type === 'message') out.push(renderMessage(r, options));
    else if (r.type === 'compaction') out.push(renderCompaction(r));
    else if (r.type === 'revert') out.push(`> **Reverted** compaction \`${r.compactionId}\` at ${r.at}.`);
    else if (r.type === 'pin') out.push(`> **${r.pinned ? 'Pinned' : 'Unpinned'}** message \`${r.messageId}\`${r.pinned ? ': compaction keeps it verbatim' : ''}.`);
    else out.push(`> **Rewound** to turn ${r.fromTurn}: the later turns were edited or retried in the Chat view.`);
  }
  return out.join('\n\n') + '\n';
}
