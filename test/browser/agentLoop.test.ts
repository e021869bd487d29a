// Issue 13's acceptance run: the demo's scripted agent (the test model's
// `fix-timezone` script, on the prompt the README names) fixes the demo
// workspace's time-zone bug in ONE @compactor request of 43 tool rounds —
// reads, searches, test runs in the terminal tool that fail, a wrong first
// fix, the real fix, passing runs — in an 8,000-token window, so the session
// auto-compacts several times inside the loop; late in the loop the model
// recalls a tool result compaction removed and must get its exact text back.
//
// Edits and commands are approved as they are asked for, as a person who
// trusts the run would (VS Code's global auto-approve with its one-time opt-in,
// else "Allow in this Session" per tool): this test is about the loop,
// compaction and recall; the review step itself and Ctrl+Z are tested in
// agentTools.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_PROMPT, demoWorkspaceFiles } from '../../scripts/demoWorkspace';
import { approveToolsAsAsked, lastResponse, openChat, selectChatModel, submitChat, waitForResponse } from './harness/browser';
import { startVsCode } from './harness/vscode';

type Part = { type: string; text?: string; callId?: string; id?: string; name?: string; args?: unknown; isError?: boolean };
type LogRecord = { type: string; id: string; role?: string; parts?: Part[]; turn?: number; source?: string; covered?: string[]; replaced?: { messageId: string; parts: Part[] }[] };
type ScriptEvent = { kind: string; event?: string; source?: string; target?: string | null; exact?: boolean; script?: { step?: number; label?: string }; toolCalls?: { callId: string; name: string; input: Record<string, unknown> }[] };
type Step = { tool: string; input?: { path?: string; content?: string; oldText?: string; newText?: string } };

/** The script's steps (plain JS under test/fixtures/test-model, loaded as CommonJS). */
const require = createRequire(import.meta.url);
const { STEPS } = require('../fixtures/test-model/scriptedAgent.js') as { STEPS: Step[] };

/** What a file must hold at the end: demo/workspace's, with each of the script's edits to it applied in order. */
function afterScriptEdits(rel: string): string {
  let text = demoWorkspaceFiles()[rel]!;
  for (const { tool, input } of STEPS) {
    if (tool !== 'compactor_editFile' || input?.path !== rel) continue;
    assert.ok(text.includes(input.oldText!), `the script's edit of ${rel} finds its old text:\n${input.oldText}`);
    text = text.replace(input.oldText!, () => input.newText!);
  }
  return text;
}

/** The test file the agent creates: the script's createFile content, byte for byte on disk. */
const EXPECTED_NEW_TEST = STEPS.find((s) => s.tool === 'compactor_createFile' && s.input?.path === 'test/timezone.test.js')?.input?.content ?? '(missing from the script)';

/** The session logs (`<storage>/sessions/*.jsonl`) under code-server's user data, parsed. */
function sessionLogs(userDataDir: string): LogRecord[][] {
  const logs: LogRecord[][] = [];
  for (const entry of readdirSync(userDataDir, { withFileTypes: true, recursive: true })) {
    const dir = entry.parentPath ?? entry.path;
    if (!entry.isFile() || !entry.name.endsWith('.jsonl') || !dir.endsWith('sessions')) continue;
    const lines = readFileSync(join(dir, entry.name), 'utf8').split('\n').filter((l) => l.trim());
    logs.push(lines.map((l) => JSON.parse(l) as LogRecord));
  }
  return logs;
}

const textOf = (r: LogRecord) => (r.parts ?? []).map((p) => p.text ?? '').join('');
const toolResults = (records: LogRecord[]) => records.flatMap((r) => (r.type === 'message' ? (r.parts ?? []).filter((p) => p.type === 'tool_result').map((p) => ({ record: r, part: p })) : []));
const toolCalls = (records: LogRecord[]) => records.flatMap((r) => (r.type === 'message' ? (r.parts ?? []).filter((p) => p.type === 'tool_call') : []));

test('the scripted agent fixes the demo bug in one request of 40+ tool rounds, auto-compacting twice and recalling what compaction removed', { timeout: 300_000 }, async (t) => {
  const vscode = await startVsCode({
    workspaceFiles: demoWorkspaceFiles(),
    settings: { 'chat.tools.global.autoApprove': true },
    telemetry: false,
  });
  t.after(() => vscode.stop());
  const { page } = vscode;
  // code-server reads global auto-approve from the machine scope too (see agentTools.test.ts).
  mkdirSync(join(vscode.server.userDataDir, 'Machine'), { recursive: true });
  writeFileSync(join(vscode.server.userDataDir, 'Machine', 'settings.json'), JSON.stringify({ 'chat.tools.global.autoApprove': true }));
  const approver = approveToolsAsAsked(page);
  t.after(() => approver.stop());
  try {
    await openChat(page);
    await selectChatModel(page);
    await submitChat(page, DEMO_PROMPT);
    // Mid-run: the chat shows the agent's steps and an automatic compaction notice.
    await lastResponse(page).getByText('Automatically compacted').first().waitFor({ timeout: 180_000 });
    await vscode.screenshot('agent-loop-compacted');
    const reply = await waitForResponse(page, { timeoutMs: 200_000 });
    approver.stop();
    t.diagnostic(`approvals: ${approver.approvals.join('; ') || 'none asked'}`);
    await vscode.screenshot('agent-loop-done');
    assert.match(reply, /Fixed\. `?todo due`? now counts the rest of the local day/);
  } catch (err) {
    await vscode.screenshot('agent-loop-failure').catch(() => undefined);
    throw err;
  }

  // --- The model's side (.compactor-test/requests.jsonl): one run, step by step.
  const events = readFileSync(join(vscode.workspaceDir, '.compactor-test', 'requests.jsonl'), 'utf8')
    .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as ScriptEvent);
  const steps = events.filter((e) => e.kind === 'outcome' && e.script?.label && e.script.label !== 'final answer');
  const rounds = steps.filter((e) => (e.toolCalls ?? []).length > 0);
  assert.ok(rounds.length >= 40, `the agent ran ${rounds.length} tool rounds (expected at least 40)`);
  assert.deepEqual(steps.map((e) => e.script?.step), rounds.map((_, i) => i), 'every step ran once, in order, though compaction summarized the earlier ones');

  // --- The session log: one request (one user turn), compacted automatically inside its loop.
  const log = sessionLogs(vscode.server.userDataDir).find((records) => records.some((r) => r.role === 'user' && textOf(r).includes('fix the time-zone bug')));
  assert.ok(log, 'the session log of the request exists');
  const messages = log.filter((r) => r.type === 'message');
  const userPrompts = messages.filter((r) => r.role === 'user' && !(r.parts ?? []).some((p) => p.type === 'tool_result'));
  assert.equal(userPrompts.length, 1, 'one request');
  assert.equal(new Set(messages.map((r) => r.turn)).size, 1, 'every message belongs to that one turn');
  const calls = toolCalls(log);
  assert.ok(calls.length >= 40, `${calls.length} tool calls in the log`);
  const firstTool = log.findIndex((r) => r.role === 'tool');
  const lastTool = log.length - 1 - [...log].reverse().findIndex((r) => r.role === 'tool');
  const autoInside = log.map((r, i) => ({ r, i })).filter(({ r, i }) => r.type === 'compaction' && r.source === 'auto' && i > firstTool && i < lastTool);
  assert.ok(autoInside.length >= 2, `${autoInside.length} automatic compactions inside the tool loop (expected at least 2)`);

  // --- Tools that change things: edits applied, a failing check, then a passing one with exit code 0.
  const results = toolResults(log);
  const resultOf = (callId: string) => results.find((x) => x.part.callId === callId)?.part;
  const byName = (name: string) => calls.filter((c) => c.name === name).map((c) => ({ call: c, result: resultOf(c.id ?? '') }));
  const edits = byName('compactor_editFile');
  assert.equal(edits.length, 3, 'three edits');
  for (const e of edits) assert.ok(e.result && !e.result.isError, `edit ${JSON.stringify(e.call.args)} applied: ${e.result?.text}`);
  assert.ok(byName('compactor_createFile').every((c) => c.result && !c.result.isError), 'the new test file was created');
  const runs = byName('compactor_runInTerminal');
  assert.ok(runs.length >= 10, `${runs.length} terminal commands`);
  // The terminal tool's status line: "(in ., VS Code terminal) exited with code 1."
  const exitCode = (text = '') => Number(/exited with code (-?\d+)/i.exec(text)?.[1] ?? NaN);
  const firstTokyo = runs.find((r) => (r.call.args as { command?: string }).command === 'TZ=Asia/Tokyo npm test');
  assert.ok(firstTokyo?.result, 'the first Tokyo test run has a result');
  assert.notEqual(exitCode(firstTokyo.result.text), 0, `the check before the fix fails: ${firstTokyo.result.text}`);
  assert.match(firstTokyo.result.text ?? '', /dueBy counts the rest of the local day, early in the morning/);
  const final = runs.at(-1)!;
  assert.match((final.call.args as { command?: string }).command ?? '', /TZ=UTC npm test && TZ=Asia\/Tokyo npm test/);
  assert.equal(exitCode(final.result?.text), 0, `the last check passes with exit code 0: ${final.result?.text}`);

  // --- Recall: a tool result compaction removed comes back exactly.
  const recall = byName('compactor_recall');
  assert.equal(recall.length, 1, 'the model recalled once');
  const recalledId = (recall[0]!.call.args as { id?: string }).id;
  assert.ok(recalledId, `the model recalled by id (${JSON.stringify(recall[0]!.call.args)})`);
  const stored = resultOf(recalledId) as (Part & { fullText?: string }) | undefined;
  // The whole original: `fullText` when the model was shown a bounded cut of it.
  const original = stored ? { text: stored.fullText ?? stored.text } : undefined;
  assert.ok(original?.text, `the recalled call ${recalledId} has an original result in the log`);
  const holder = results.find((x) => x.part.callId === recalledId)!.record.id;
  const recallIndex = log.findIndex((r) => (r.parts ?? []).some((p) => p.type === 'tool_call' && p.name === 'compactor_recall'));
  const removedBy = log.slice(0, recallIndex).filter((r) => r.type === 'compaction' && ((r.covered ?? []).includes(holder) || (r.replaced ?? []).some((x) => x.messageId === holder)));
  assert.ok(removedBy.length > 0, `a compaction before the recall removed ${recalledId} from the context`);
  assert.ok(log.slice(0, recallIndex).filter((r) => r.type === 'compaction' && r.source === 'auto').length >= 2, 'the recall came after at least two automatic compactions');
  const recalled = recall[0]!.result?.text ?? '';
  assert.ok(recalled.includes(original.text), `recall returned the exact original text (${original.text.length} chars):\n${recalled}`);
  const check = events.find((e) => e.kind === 'script' && e.event === 'recall-check');
  assert.equal(check?.exact, true, 'the model itself found the recalled text identical to what it saw when the tool ran');

  // --- The files on disk: the fix, the new tests, and they pass in other zones.
  const file = (rel: string) => readFileSync(join(vscode.workspaceDir, rel), 'utf8');
  assert.equal(file('src/todos.js'), afterScriptEdits('src/todos.js'));
  assert.equal(file('test/timezone.test.js'), EXPECTED_NEW_TEST);
  assert.equal(file('test/todos.test.js'), afterScriptEdits('test/todos.test.js'));
  for (const tz of ['Asia/Tokyo', 'America/New_York']) {
    const r = spawnSync(process.execPath, ['--test', 'test/'], { cwd: vscode.workspaceDir, env: { ...withoutTestContext(), TZ: tz }, encoding: 'utf8' });
    assert.equal(r.status, 0, `the fixed workspace's tests pass with TZ=${tz}:\n${r.stdout}${r.stderr}`);
  }
  assert.ok(!existsSync(join(vscode.workspaceDir, '.todos.json')), 'the CLI check used a throwaway store');
});

/** The environment without node:test's NODE_TEST_CONTEXT: with it, a nested `node --test` reports to us and exits 0 whatever happens. */
function withoutTestContext(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  return env;
}
