/**
 * Export of a context to OpenAI chat messages and of a log to Markdown. Small
 * inline fixtures (a dozen parts) plus one round trip through a real transcript.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toMarkdown, fence } from '../../../src/compaction/export/markdown';
import { toOpenAIMessages } from '../../../src/compaction/export/openai';
import { importTranscript } from '../../../src/compaction/importers';
import type { SessionLog } from '../../../src/compaction/records';
import { createEstimateCounter } from '../../../src/compaction/tokens/counter';
import type { ContextMessage } from '../../../src/compaction/types';
import { syntheticTranscripts } from '../../fixtures/transcripts';
import { corpusSkip, readCorpus } from './corpusFiles';

const msg = (role: ContextMessage['role'], parts: ContextMessage['parts'], kind: ContextMessage['kind'] = 'message'): ContextMessage => ({
  kind,
  role,
  parts,
  tokens: 1,
});

describe('toOpenAIMessages', () => {
  it('maps system, summary, user, assistant with tool calls and tool results', () => {
    const out = toOpenAIMessages([
      msg('system', [{ type: 'text', text: 'Be brief.' }], 'system'),
      msg('user', [{ type: 'text', text: 'Summary so far' }], 'summary'),
      msg('user', [{ type: 'text', text: 'Look' }, { type: 'image', mimeType: 'image/png' }]),
      msg('assistant', [
        { type: 'thinking', text: 'secret plan' },
        { type: 'text', text: 'Reading both.' },
        { type: 'tool_call', id: 'c1', name: 'read', args: { path: 'a.ts' } },
        { type: 'tool_call', id: 'c2', name: 'bash', args: 'ls -la' },
      ]),
      msg('tool', [
        { type: 'tool_result', callId: 'c1', name: 'read', text: 'export {}' },
        { type: 'tool_result', callId: 'c2', text: 'boom', isError: true },
      ]),
    ]);
    assert.deepEqual(out, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Summary so far' },
      { role: 'user', content: 'Look\n[image]' },
      {
        role: 'assistant',
        content: 'Reading both.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'read', arguments: '{"path":"a.ts"}' } },
          { id: 'c2', type: 'function', function: { name: 'bash', arguments: 'ls -la' } },
        ],
      },
      { role: 'tool', content: 'export {}', tool_call_id: 'c1' },
      { role: 'tool', content: 'boom', tool_call_id: 'c2' },
    ]);
  });

  it('drops thinking-only messages and never leaks thinking text', () => {
    const out = toOpenAIMessages([msg('assistant', [{ type: 'thinking', text: 'hmm' }]), msg('assistant', [{ type: 'text', text: 'ok' }])]);
    assert.deepEqual(out, [{ role: 'assistant', content: 'ok' }]);
    assert.ok(!JSON.stringify(out).includes('hmm'));
  });

  it('an assistant message that only calls tools has empty string content', () => {
    const [m] = toOpenAIMessages([msg('assistant', [{ type: 'tool_call', id: 'x', name: 'n', args: {} }])]);
    assert.equal(m?.content, '');
    assert.ok(m?.role === 'assistant' && m.tool_calls?.length === 1);
  });

  it('a user message that carries tool results (Anthropic style) splits into tool messages then the text', () => {
    const out = toOpenAIMessages([msg('user', [{ type: 'tool_result', callId: 'c', text: 'r' }, { type: 'text', text: 'and also' }])]);
    assert.deepEqual(out, [
      { role: 'tool', content: 'r', tool_call_id: 'c' },
      { role: 'user', content: 'and also' },
    ]);
  });

  for (const t of syntheticTranscripts()) {
    it(`${t.fileName}: every tool call stays paired with a later tool message`, () => {
      const { log } = importTranscript(t.text, { counter: createEstimateCounter(), fileName: t.fileName });
      const context: ContextMessage[] = log.records.flatMap((r) =>
        r.type === 'message' ? [{ kind: 'message' as const, role: r.role, parts: r.parts, tokens: r.tokens, messageId: r.id }] : [],
      );
      const out = toOpenAIMessages(context);
      const callIds = out.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id) : []));
      const resultIds = out.flatMap((m) => (m.role === 'tool' ? [m.tool_call_id] : []));
      assert.ok(resultIds.length >= 8, `${resultIds.length} tool results`);
      for (const id of resultIds) assert.ok(callIds.includes(id));
    });
  }

  it('a real transcript keeps every tool call paired with a later tool message', { skip: corpusSkip('mini_astropy-14182.traj.json') }, () => {
    const { log } = importTranscript(readCorpus('mini_astropy-14182.traj.json'), { counter: createEstimateCounter() });
    const context: ContextMessage[] = log.records.flatMap((r) =>
      r.type === 'message' ? [{ kind: 'message' as const, role: r.role, parts: r.parts, tokens: r.tokens, messageId: r.id }] : [],
    );
    const out = toOpenAIMessages(context);
    const callIds = out.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id) : []));
    const resultIds = out.flatMap((m) => (m.role === 'tool' ? [m.tool_call_id] : []));
    assert.ok(resultIds.length > 90);
    for (const id of resultIds) assert.ok(callIds.includes(id));
    assert.ok(out.every((m) => typeof m.content === 'string'));
  });
});

describe('toMarkdown', () => {
  const log: SessionLog = {
    header: { type: 'session', v: 1, id: 's1', createdAt: '2025-01-01T00:00:00.000Z', title: 'Fix the build', systemPrompt: 'Sys', systemTokens: 1 },
    records: [
      { type: 'message', id: 'm0', at: 't', role: 'user', parts: [{ type: 'text', text: 'Why does `npm test` fail?' }], tokens: 9, encoding: 'estimate', turn: 0 },
      {
        type: 'message', id: 'm1', at: 't', role: 'assistant', tokens: 20, encoding: 'estimate', turn: 0,
        parts: [{ type: 'thinking', text: 'check it' }, { type: 'tool_call', id: 'c1', name: 'bash', args: { command: 'npm test' } }],
      },
      { type: 'message', id: 'm2', at: 't', role: 'tool', parts: [{ type: 'tool_result', callId: 'c1', name: 'bash', text: 'x ```` y', isError: true }], tokens: 5, encoding: 'estimate', turn: 0 },
      {
        type: 'compaction', id: 'k1', at: 't', source: 'manual', strategy: 'extractive', tiers: [{ tier: 'summarize', count: 1 }], covered: ['m0'],
        replaced: [], summary: 'User asked about tests.', summaryTokens: 5, attachments: [], before: { tokens: 34, messages: 3 }, after: { tokens: 30, messages: 3 }, durationMs: 1,
      },
      { type: 'revert', id: 'r1', at: 't', compactionId: 'k1' },
    ],
  };

  it('renders title, metadata, messages, tool calls, results, compactions and reverts', () => {
    const md = toMarkdown(log);
    assert.match(md, /^# Fix the build\n/);
    assert.match(md, /- Session: `s1`/);
    assert.match(md, /### User · turn 0 · 9 tokens\n\n<sub>t<\/sub>\n\nWhy does `npm test` fail\?/);
    assert.match(md, /\*\*Tool call\*\* `bash` \(`c1`\)\n\n```json\n\{\n {2}"command": "npm test"\n\}\n```/);
    assert.match(md, /Result of bash for c1 \(error\)/);
    assert.match(md, /\*\*Compaction\*\* `k1` \(manual, extractive\): 34 → 30 tokens/);
    assert.match(md, /\*\*Reverted\*\* compaction `k1`/);
    assert.match(md, /<summary>Thinking<\/summary>/);
    assert.ok(!toMarkdown(log, { thinking: false }).includes('check it'));
  });

  it('shows when things happened, the model and vendor, compactions\' model and restored files; a title stays one heading', () => {
    const compacted: SessionLog = {
      header: { ...log.header, title: 'Fix\nthe   build', model: { id: 'gpt-4o', vendor: 'copilot' } },
      records: [
        { type: 'message', id: 'm0', at: '2025-01-01T00:00:01.000Z', role: 'user', parts: [{ type: 'text', text: 'hi' }], tokens: 1, encoding: 'estimate' },
        {
          type: 'compaction', id: 'k1', at: '2025-01-01T00:00:02.000Z', source: 'auto', strategy: 'llm', tiers: [], covered: ['m0'], replaced: [], summary: 'S.',
          summaryTokens: 1, attachments: [{ path: 'src/a.ts', text: 'export const a = 1;', tokens: 5 }], before: { tokens: 9, messages: 1 }, after: { tokens: 5, messages: 1 },
          durationMs: 1, model: 'gpt-4o-mini',
        },
        { type: 'revert', id: 'r1', at: '2025-01-01T00:00:03.000Z', compactionId: 'k1' },
      ],
    };
    const md = toMarkdown(compacted);
    assert.match(md, /^# Fix the build\n/);
    assert.match(md, /- Model: gpt-4o \(copilot\)/);
    assert.match(md, /### User · 1 tokens\n\n<sub>2025-01-01T00:00:01.000Z<\/sub>/);
    assert.match(md, /\*\*Compaction\*\* `k1` \(auto, llm\): 9 → 5 tokens, 1 → 1 messages; 1 messages covered; at 2025-01-01T00:00:02.000Z by gpt-4o-mini\./);
    assert.match(md, /<details><summary>Restored src\/a.ts<\/summary>\n\n```\nexport const a = 1;\n```/);
    assert.match(md, /\*\*Reverted\*\* compaction `k1` at 2025-01-01T00:00:03.000Z\./);
  });

  it('fences text containing backticks with a longer fence', () => {
    assert.equal(fence('x ```` y'), '`````\nx ```` y\n`````');
    assert.ok(toMarkdown(log).includes('`````\nx ```` y\n`````'));
  });
});
