/**
 * Importers on the project's synthetic transcripts (test/fixtures/transcripts.ts,
 * one per format), on the optional corpus of real transcripts (100 KB – 2.4 MB
 * each; skipped with a reason where absent) and on small inline fixtures for the edge cases (malformed lines,
 * unknown formats, empty input). Counts use the estimate counter (fast, no wasm).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImportError, detectFormat, importTranscript } from '../../../src/compaction/importers';
import type { MessageRecord, SessionLog } from '../../../src/compaction/records';
import { createEstimateCounter } from '../../../src/compaction/tokens/counter';
import { FIRST_REQUEST, LAST_REQUEST, SLASH_ARGUMENT, syntheticTranscripts } from '../../fixtures/transcripts';
import { CORPUS, corpusSkip, readCorpus } from './corpusFiles';

const counter = createEstimateCounter();

function messages(log: SessionLog): MessageRecord[] {
  return log.records.filter((r): r is MessageRecord => r.type === 'message');
}

function textOf(m: MessageRecord): string {
  return m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

/** The request that opened the last turn. */
function lastRequest(msgs: MessageRecord[]): MessageRecord {
  const last = Math.max(...msgs.map((m) => m.turn ?? 0));
  return msgs.find((m) => m.turn === last && m.role === 'user')!;
}

/** Every tool result answers a tool call made earlier in the log. */
function assertPaired(msgs: MessageRecord[]): void {
  const calls = new Set<string>();
  for (const m of msgs) {
    for (const p of m.parts) {
      if (p.type === 'tool_call') calls.add(p.id);
      if (p.type === 'tool_result') assert.ok(calls.has(p.callId), `result ${p.callId} (${m.id}) has no earlier call`);
    }
  }
}

/** What every importer must give on a real-looking transcript: detection, roles, pairing, ids, turns, the first request. */
function checkImport(file: { name: string; format: string; firstRequest: string }, text: string): void {
  assert.equal(detectFormat(text, file.name), file.format);
  assert.equal(detectFormat(text), file.format, 'detected from content alone');
  const { log } = importTranscript(text, { counter, fileName: file.name, nativeCompactions: 'ignore' });
  const msgs = messages(log);
  assert.ok(msgs.length > 0);
  assert.equal(log.header.importedFrom, file.format);
  assert.ok(msgs.some((m) => m.role === 'user'), 'has a user message');
  assert.ok(msgs.some((m) => m.role === 'assistant'), 'has an assistant message');
  assert.ok(msgs.some((m) => m.role === 'tool'), 'has tool messages');
  for (const m of msgs) {
    assert.ok(['user', 'assistant', 'tool'].includes(m.role));
    assert.equal(m.encoding, 'estimate');
    assert.equal(m.tokens, counter.countParts(m.parts), `${m.id} tokens come from the counter`);
    if (m.role === 'tool') assert.ok(m.parts.every((p) => p.type === 'tool_result'), `${m.id} holds only results`);
  }
  assertPaired(msgs);
  assert.equal(new Set(msgs.map((m) => m.id)).size, msgs.length, 'ids are unique');
  const turns = msgs.map((m) => m.turn ?? -1);
  assert.ok(turns.every((t, i) => t >= 0 && (i === 0 || t >= turns[i - 1]!)), 'turns never go back');
  const firstUser = msgs.find((m) => m.role === 'user' && !m.parts.some((p) => p.type === 'tool_result'));
  // SWE-agent shows a demonstration before the task: the first request is the first user message in turn 0 that is not it.
  const firstRequest = file.format === 'swe-agent' ? msgs.filter((m) => m.role === 'user')[1] : firstUser;
  assert.ok(firstRequest && textOf(firstRequest).startsWith(file.firstRequest), `first request: ${textOf(firstRequest!).slice(0, 80)}`);
}

describe('importers on the real corpus', () => {
  for (const file of CORPUS) {
    it(`${file.name}: detected as ${file.format}, messages, roles, pairing, first request`, { skip: corpusSkip(file.name) }, () => {
      checkImport(file, readCorpus(file.name));
    });
  }
});

describe("importers on the project's synthetic transcripts (test/fixtures/transcripts.ts)", () => {
  for (const t of syntheticTranscripts()) {
    it(`${t.fileName}: detected as ${t.format}, messages, roles, pairing, first request`, () => {
      checkImport({ name: t.fileName, format: t.format, firstRequest: t.firstRequest }, t.text);
    });
  }
});

describe('format specifics', () => {
  it('Claude Code: merges streamed blocks, skips subagent records with one warning, title from summary', { skip: corpusSkip(CORPUS[0]!.name) }, () => {
    const { log, warnings } = importTranscript(readCorpus(CORPUS[0]!.name), { counter });
    const msgs = messages(log);
    // The three parallel Task calls were streamed as three records of one API message.
    const parallel = msgs.find((m) => m.parts.filter((p) => p.type === 'tool_call' && p.name === 'Task').length === 3);
    assert.ok(parallel, 'one assistant message holds the three Task calls');
    assert.equal(log.header.title, 'Empty Repo Setup: CLAUDE.md Foundation Created');
    assert.equal(log.header.id, 'fe5e1c67-53e7-4862-81ae-d0e013e3270b');
    assert.equal(log.header.model?.id, 'claude-sonnet-4-20250514');
    const side = warnings.filter((w) => w.message.includes('isSidechain'));
    assert.equal(side.length, 1);
    assert.match(side[0]!.message, /405 subagent/);
    // Two real requests (the /orchestrator command and "Thanks! ..."); the expanded command (isMeta) is not one.
    assert.equal(Math.max(...msgs.map((m) => m.turn ?? 0)), 1);
    assert.equal(textOf(msgs.filter((m) => m.role === 'user').at(-1)!), 'Thanks! Please update CLAUDE.md for current changes');
    assert.ok(msgs.some((m) => m.usage?.inputTokens !== undefined), 'provider usage kept');
  });

  it('pi: native compactions applied by default, ignored on request; errors, thinking and bash executions', { skip: corpusSkip(CORPUS[1]!.name) }, () => {
    const text = readCorpus(CORPUS[1]!.name);
    const applied = importTranscript(text, { counter });
    const compactions = applied.log.records.filter((r) => r.type === 'compaction');
    assert.equal(compactions.length, 2);
    const [first, second] = compactions;
    assert.ok(first?.type === 'compaction' && second?.type === 'compaction');
    assert.ok(second.covered.length > first.covered.length, 'covered is cumulative');
    assert.ok(first.covered.includes('m0'), 'the first message is covered');
    assert.match(second.summary, /Context Checkpoint|##/);
    const ignored = importTranscript(text, { counter, nativeCompactions: 'ignore' });
    assert.equal(ignored.log.records.filter((r) => r.type === 'compaction').length, 0);
    const msgs = messages(ignored.log);
    const results = msgs.flatMap((m) => m.parts).filter((p) => p.type === 'tool_result');
    assert.equal(results.length, 448);
    assert.equal(results.filter((p) => p.type === 'tool_result' && p.isError).length, 12);
    assert.ok(msgs.some((m) => m.parts.some((p) => p.type === 'thinking')));
    assert.ok(msgs.some((m) => m.role === 'user' && textOf(m).startsWith('Ran `ls`')), 'bashExecution as user text');
    assert.equal(textOf(lastRequest(msgs)), 'ok');
    assert.equal(msgs.filter((m) => m.role === 'user' && m.turn === 0).length, 1, 'one request per turn');
    assert.equal(ignored.log.header.model?.id, 'claude-opus-4-5', 'the last model_change wins');
  });

  it('SWE-agent: system prompt in the header, demonstration is not a request, actions become tool calls', { skip: corpusSkip(CORPUS[2]!.name) }, () => {
    const { log } = importTranscript(readCorpus(CORPUS[2]!.name), { counter });
    assert.match(log.header.systemPrompt ?? '', /^SETTING: You are an autonomous programmer/);
    assert.ok((log.header.systemTokens ?? 0) > 0);
    const msgs = messages(log);
    assert.match(textOf(msgs[0]!), /demonstration/);
    const call = msgs.flatMap((m) => m.parts).find((p) => p.type === 'tool_call');
    assert.deepEqual(call?.type === 'tool_call' && [call.name, call.args], ['create', { command: 'create reproduce_bug.py' }]);
    // The thought is the text: the action block is not counted twice.
    assert.ok(!textOf(msgs[2]!).includes('```\ncreate reproduce_bug.py'));
    assert.equal(msgs.filter((m) => m.role === 'tool').length, 11);
  });

  it('mini-swe-agent: reasoning as thinking, the exit message skipped, non-zero return codes are errors', { skip: corpusSkip('mini_reasoner_sqlfluff-1763.traj.json') }, () => {
    const { log } = importTranscript(readCorpus('mini_reasoner_sqlfluff-1763.traj.json'), { counter });
    const msgs = messages(log);
    assert.ok(msgs.some((m) => m.parts.some((p) => p.type === 'thinking')));
    assert.ok(!msgs.some((m) => textOf(m).startsWith('diff --git')), 'the submission (exit) is not a message');
    assert.equal(log.header.model?.id, 'deepseek/deepseek-reasoner');
    assert.equal(log.header.id, 'sqlfluff__sqlfluff-1763');
    const astropy = messages(importTranscript(readCorpus('mini_astropy-14182.traj.json'), { counter }).log);
    assert.equal(astropy.flatMap((m) => m.parts).filter((p) => p.type === 'tool_result' && p.isError).length, 6);
  });

  it('OpenHands: first run by default with a warning, another run on request', { skip: corpusSkip(CORPUS[3]!.name) }, () => {
    const text = readCorpus(CORPUS[3]!.name);
    const first = importTranscript(text, { counter });
    assert.ok(first.warnings.some((w) => w.line === 1 && /2 runs/.test(w.message)));
    assert.equal(messages(first.log).length, 8);
    const second = importTranscript(text, { counter, run: 2 });
    const msgs = messages(second.log);
    assert.match(textOf(msgs[0]!), /dark mode/i);
    // 44 events: the task, 21 actions each answered by an observation, and finish.
    assert.equal(msgs.filter((m) => m.role === 'tool').length, 21);
    assert.equal(msgs.length, 44);
    assertPaired(msgs);
  });
});

describe("format specifics on the project's synthetic transcripts", () => {
  const byFormat = new Map(syntheticTranscripts().map((t) => [t.format, t.text]));

  it('Claude Code: title from the summary line, one warning for the subagent records, the expanded command is not a request', () => {
    const { log, warnings, requestIds } = importTranscript(byFormat.get('claude-code')!, { counter });
    assert.equal(log.header.title, 'Time-zone bug in dueDate');
    assert.equal(log.header.id, 'cc-synthetic');
    assert.equal(log.header.model?.id, 'claude-sonnet-4-5');
    assert.equal(warnings.filter((w) => /isSidechain/.test(w.message)).length, 1);
    const msgs = messages(log);
    const requests = requestIds.map((id) => textOf(msgs.find((m) => m.id === id)!));
    assert.equal(requests.length, 3, 'the command, the fix and the Tokyo test');
    assert.ok(requests[0]!.includes(SLASH_ARGUMENT), 'the slash command (with its argument) is a request');
    assert.ok(!requests.some((r) => r.startsWith('# Review template')), 'the expanded template (isMeta) is not a request');
    assert.deepEqual(requests.slice(1), [FIRST_REQUEST, LAST_REQUEST]);
    assert.ok(msgs.some((m) => m.usage?.inputTokens !== undefined), 'provider usage kept');
  });

  it("pi: its own compaction applied by default, ignored on request; unknown entry types skipped", () => {
    const text = byFormat.get('pi')!;
    const applied = importTranscript(text, { counter });
    const compactions = applied.log.records.filter((r) => r.type === 'compaction');
    assert.equal(compactions.length, 1);
    assert.ok(compactions[0]!.type === 'compaction' && compactions[0]!.covered.includes('m0'), 'the first message is covered');
    assert.equal(importTranscript(text, { counter, nativeCompactions: 'ignore' }).log.records.filter((r) => r.type === 'compaction').length, 0);
    assert.equal(textOf(lastRequest(messages(applied.log))), LAST_REQUEST);
  });

  it('SWE-agent: system prompt in the header, the demonstration is not a request, actions become tool calls', () => {
    const { log, requestIds } = importTranscript(byFormat.get('swe-agent')!, { counter });
    assert.match(log.header.systemPrompt ?? '', /careful coding agent/);
    const msgs = messages(log);
    assert.match(textOf(msgs[0]!), /demonstration/);
    assert.ok(!requestIds.includes(msgs[0]!.id), 'the demonstration is context, not a request');
    const call = msgs.flatMap((m) => m.parts).find((p) => p.type === 'tool_call');
    assert.deepEqual(call?.type === 'tool_call' && [call.name, call.args], ['open', { command: 'open src/dates.ts' }]);
  });

  it('mini-swe-agent: model and id from the trajectory, the exit message skipped, non-zero return codes are errors', () => {
    const { log } = importTranscript(byFormat.get('mini-swe-agent')!, { counter });
    assert.equal(log.header.model?.id, 'gpt-4o');
    assert.equal(log.header.id, 'mini-synthetic');
    const msgs = messages(log);
    assert.ok(!msgs.some((m) => textOf(m) === 'submitted'), 'the exit message is not a message');
    const errors = msgs.flatMap((m) => m.parts).filter((p) => p.type === 'tool_result' && p.isError);
    assert.equal(errors.length, 1, 'the failing test run');
  });

  it('OpenHands: the first run by default with a warning, another run on request; observations pair with their actions', () => {
    const text = byFormat.get('openhands')!;
    const first = importTranscript(text, { counter });
    assert.ok(first.warnings.some((w) => w.line === 1 && /2 runs/.test(w.message)));
    assert.equal(first.log.header.id, 'oh-synthetic');
    assert.equal(importTranscript(text, { counter, run: 2 }).log.header.id, 'oh-synthetic-2');
    const msgs = messages(first.log);
    assertPaired(msgs);
    assert.equal(msgs.flatMap((m) => m.parts).filter((p) => p.type === 'tool_result' && p.isError).length, 1, 'exit code 1 is an error');
  });

  it('a line that is not JSON is reported with its line number and skipped; the rest loads', () => {
    const lines = byFormat.get('pi')!.split('\n');
    const whole = messages(importTranscript(lines.join('\n'), { counter, nativeCompactions: 'ignore' }).log).length;
    lines[2] = lines[2]!.slice(0, 40); // line 3: a torn message
    const { log, warnings } = importTranscript(lines.join('\n'), { counter, nativeCompactions: 'ignore' });
    assert.deepEqual(warnings.map((w) => w.line), [3]);
    assert.match(warnings[0]!.message, /not valid JSON/);
    assert.equal(messages(log).length, whole - 1);
  });
});

describe('malformed input', () => {
  it('a line that is not JSON is reported with its line number and skipped; the rest loads', { skip: corpusSkip(CORPUS[1]!.name) }, () => {
    const lines = readCorpus(CORPUS[1]!.name).split('\n');
    const whole = messages(importTranscript(lines.join('\n'), { counter, nativeCompactions: 'ignore' }).log).length;
    lines[2] = lines[2]!.slice(0, 40); // line 3: a torn tool result
    const { log, warnings } = importTranscript(lines.join('\n'), { counter, nativeCompactions: 'ignore' });
    assert.deepEqual(warnings.map((w) => w.line), [3]);
    assert.match(warnings[0]!.message, /not valid JSON/);
    assert.equal(messages(log).length, whole - 1);
  });

  it('a record with the wrong shape is reported with its line number and skipped', () => {
    const text = [
      JSON.stringify({ type: 'user', sessionId: 's', message: { role: 'user', content: 'first request' } }),
      JSON.stringify({ type: 'assistant', sessionId: 's', message: { role: 'assistant' } }),
      JSON.stringify({ type: 'assistant', sessionId: 's', message: { id: 'a', role: 'assistant', content: [{ type: 'text', text: 'hi' }] } }),
    ].join('\n');
    const { log, warnings } = importTranscript(text, { counter, format: 'claude-code' });
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.line, 2);
    assert.match(warnings[0]!.message, /content/);
    assert.deepEqual(messages(log).map((m) => m.role), ['user', 'assistant']);
  });

  it('OpenAI JSON array: a bad element is reported by its index', () => {
    const text = JSON.stringify([{ role: 'user', content: 'hello' }, { role: 'robot', content: 'x' }, { role: 'assistant', content: 'hi' }]);
    const { log, warnings } = importTranscript(text, { counter });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /messages\[1\]/);
    assert.equal(messages(log).length, 2);
  });
});

describe('OpenAI chat messages', () => {
  const chat = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read', arguments: '{"path":"a.txt"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'contents' },
    { role: 'assistant', content: 'A cat.' },
    { role: 'user', content: 'Thanks' },
  ];

  for (const [label, text] of [
    ['JSON array', JSON.stringify(chat)],
    ['{messages}', JSON.stringify({ messages: chat })],
    ['JSONL', chat.map((m) => JSON.stringify(m)).join('\n')],
  ] as const) {
    it(`reads ${label}: system prompt, parts, tool pairing, turns`, () => {
      assert.equal(detectFormat(text), 'openai');
      const { log, warnings } = importTranscript(text, { counter });
      assert.deepEqual(warnings, []);
      assert.equal(log.header.systemPrompt, 'You are terse.');
      const msgs = messages(log);
      assert.deepEqual(msgs.map((m) => m.role), ['user', 'assistant', 'tool', 'assistant', 'user']);
      assert.deepEqual(msgs[0]!.parts[1], { type: 'image', mimeType: 'image/png' });
      assert.deepEqual(msgs[1]!.parts[0], { type: 'tool_call', id: 'c1', name: 'read', args: { path: 'a.txt' } });
      assert.deepEqual(msgs[2]!.parts[0], { type: 'tool_result', callId: 'c1', name: 'read', text: 'contents' });
      assert.deepEqual(msgs.map((m) => m.turn), [0, 0, 0, 0, 1]);
    });
  }
});

describe('errors and detection', () => {
  it('unknown content is an ImportError naming the known formats', () => {
    assert.throws(
      () => importTranscript('hello world\nnot a transcript', { counter }),
      (e: unknown) => e instanceof ImportError && e.code === 'unknown_format' && /claude-code/.test(e.message),
    );
  });

  it('an unknown format name is an ImportError', () => {
    assert.throws(
      () => importTranscript('[]', { counter, format: 'gemini' as never }),
      (e: unknown) => e instanceof ImportError && e.code === 'unknown_format' && /gemini/.test(e.message),
    );
  });

  it('no messages is an ImportError with a clear message', () => {
    assert.throws(
      () => importTranscript('[]', { counter, format: 'openai', fileName: 'empty.json' }),
      (e: unknown) => e instanceof ImportError && e.code === 'no_messages' && /empty\.json: no messages/.test(e.message),
    );
    assert.throws(() => importTranscript('   \n', { counter }), (e: unknown) => e instanceof ImportError && e.code === 'no_messages');
    // Every line malformed: the error names the first problem.
    assert.throws(
      () => importTranscript('{"type":"session","id":"x","cwd":"/"}\n{"type":"message","message":{"role":"user"}}', { counter }),
      (e: unknown) => e instanceof ImportError && e.code === 'no_messages' && /line 2/.test(e.message),
    );
  });

  it('detects by content, and by file name when the content says nothing', () => {
    assert.equal(detectFormat('{"type":"session","id":"x","cwd":"/w"}'), 'pi');
    assert.equal(detectFormat('{"parentUuid":null,"type":"user","message":{"role":"user","content":"x"}}'), 'claude-code');
    assert.equal(detectFormat('{"history":[],"trajectory":[]}'), 'swe-agent');
    assert.equal(detectFormat('{"messages":[],"trajectory_format":"mini-swe-agent-1"}'), 'mini-swe-agent');
    assert.equal(detectFormat('{"instruction":"x","history":[]}\n'), 'openhands');
    assert.equal(detectFormat('{}', 'run.traj'), 'swe-agent');
    assert.equal(detectFormat('{}'), undefined);
  });

  it('stores the counter encoding on every message', () => {
    const fake = { encoding: 'fake_enc', estimated: false, countText: () => 1, countParts: () => 7 };
    const { log } = importTranscript('[{"role":"user","content":"x"}]', { counter: fake });
    assert.deepEqual(messages(log).map((m) => [m.encoding, m.tokens]), [['fake_enc', 7]]);
  });
});
