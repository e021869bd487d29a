/**
 * Renders a session log as Markdown a person can read: one heading per
 * message, text as written, tool calls and results as fenced code blocks,
 * thinking as a quote, compactions and reverts as notes (their summaries
 * folded into <details>). Fences grow to outlast any backticks in the content.
 */
import { stringifySafe } from '../../src/compaction/safeJson';
import type { CompactionRecord, MessageRecord, Part, SessionLog } from '../../src/compaction/records';
import { UNTITLED } from './sessionSummary';

const ROLE_HEADINGS: Record<MessageRecord['role'], string> = { user: 'User', assistant: 'Assistant', tool: 'Tool' };

export function renderSessionMarkdown(log: SessionLog): string {
  const { header } = log;
  const out: string[] = [`# ${oneLine(header.title ?? UNTITLED)}`, ''];
  out.push(`- Session: \`${header.id}\``, `- Created: ${header.createdAt}`);
  if (header.model) out.push(`- Model: ${header.model.id}${header.model.vendor ? ` (${header.model.vendor})` : ''}`);
  if (header.importedFrom) out.push(`- Imported from: ${header.importedFrom}`);
  out.push('');
  if (header.systemPrompt) out.push(details('System prompt', fenced(header.systemPrompt, 'text')), '');
  for (const record of log.records) {
    switch (record.type) {
      case 'message':
        out.push(...renderMessage(record));
        break;
      case 'compaction':
        out.push(...renderCompaction(record));
        break;
      case 'revert':
        out.push(`> **Reverted** compaction \`${record.compactionId}\` at ${record.at}`, '');
        break;
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function renderMessage(m: MessageRecord): string[] {
  const turn = m.turn === undefined ? '' : ` · turn ${m.turn}`;
  const out = [`## ${ROLE_HEADINGS[m.role]}${turn}`, '', `<sub>${m.at} · ${m.tokens} tokens</sub>`, ''];
  for (const part of m.parts) out.push(renderPart(part), '');
  return out;
}

function renderPart(part: Part): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'thinking':
      return ['> **Thinking**', ...part.text.split('\n').map((l) => `> ${l}`)].join('\n');
    case 'image':
      return `*[image${part.ref ? `: ${part.ref}` : ''}]*`;
    case 'document':
      return `*[document${part.name ? `: ${part.name}` : ''}]*`;
    case 'tool_call': {
      const args = typeof part.args === 'string' ? part.args : stringifySafe(part.args, 2);
      return `**Tool call** \`${part.name}\` (\`${part.id}\`)\n\n${fenced(args, typeof part.args === 'string' ? 'text' : 'json')}`;
    }
    case 'tool_result': {
      const label = `**Tool result**${part.name ? ` \`${part.name}\`` : ''} for \`${part.callId}\`${part.isError ? ' (error)' : ''}`;
      return `${label}\n\n${fenced(part.text, 'text')}`;
    }
  }
}

function renderCompaction(c: CompactionRecord): string[] {
  const note =
    `> **Compaction** \`${c.id}\` (${c.source}, ${c.strategy}) at ${c.at}: ` +
    `${c.before.tokens} → ${c.after.tokens} tokens, ${c.before.messages} → ${c.after.messages} messages, ` +
    `${c.covered.length} covered${c.model ? `, model ${c.model}` : ''}`;
  const out = [note, ''];
  if (c.summary) out.push(details('Summary', c.summary), '');
  for (const a of c.attachments) out.push(details(`Restored \`${a.path}\``, fenced(a.text, 'text')), '');
  return out;
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A fence longer than any run of backticks inside, so content can never close it. */
export function fenced(text: string, lang: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
