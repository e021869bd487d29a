/**
 * The wait at the auto-compaction point (issue 15), in a real VS Code
 * (code-server + Chromium, the browser test harness): a chat with `@compactor`
 * grows until automatic compaction triggers, with a summary model that takes
 * 5 s to answer (the fixture's rule `delayMs`). Run twice, in the same bench
 * run: with background preparation (the summary was written after the session
 * crossed the preparation level; the turns wait for it, as time passing
 * between turns would) and without (`compactor.levels.preparePercent` 0).
 *
 * The figure is what the extension logs around the automatic compaction
 * (extension/chat/ensureRoom.ts: "automatic compaction compacted after a wait
 * of N ms"): the time the request waited before it could be sent.
 *
 * Skipped, with a note, when code-server is not installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Targets: the wait with a prepared summary, and (the baseline) without one. */
export const PREPARED_WAIT_MAX_MS = 200;
export const UNPREPARED_WAIT_MIN_MS = 5_000;
const SUMMARY_DELAY_MS = 5_000;
const SUMMARY_PROMPT = 'write a detailed summary of the conversation';
const CODE_SERVER_VERSION = '4.139.1';

export interface PreparedWaitRun {
  mode: 'prepared' | 'unprepared';
  /** The auto-compaction's wait, as the extension logged it. */
  waitMs?: number;
  /** Whether the compaction applied a prepared summary (the log line says so). */
  prepared?: boolean;
  /** Summary requests the model received (the background one, or the one at the compaction point). */
  summaryRequests: number;
  turns: number;
  note?: string;
}

export interface PreparedWaitResult {
  status: 'measured' | 'skipped' | 'failed';
  note: string;
  summaryDelayMs: number;
  runs: PreparedWaitRun[];
}

function codeServerMissing(): string | undefined {
  const root = process.env.COMPACTOR_CACHE ?? join(homedir(), '.cache', 'context-compactor');
  const entry = join(root, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) return `code-server ${CODE_SERVER_VERSION} is not installed (${entry})`;
  if (!existsSync(process.env.COMPACTOR_CHROMIUM ?? '/usr/bin/chromium')) return 'Chromium is not installed';
  return undefined;
}

function bulk(tag: string, words: number): string {
  const vocab = ['parser', 'timezone', 'offset', 'ledger', 'invoice', 'cursor', 'buffer', 'schema', 'render', 'token'];
  return Array.from({ length: words }, (_, i) => `${vocab[i % vocab.length]}${tag}${i % 37}`).join(' ');
}

async function runOnce(mode: PreparedWaitRun['mode']): Promise<PreparedWaitRun> {
  const { startVsCode } = await import('../../test/browser/harness/vscode');
  const { openChat, selectChatModel, sendChat } = await import('../../test/browser/harness/browser');
  // Window 6,000 → effective 3,000: preparation at 40% = 1,200, auto-compaction at 85% = 2,550.
  const vscode = await startVsCode({
    telemetry: false,
    settings: { 'compactor.levels.preparePercent': mode === 'prepared' ? 40 : 0, 'compactor.levels.targetPercent': 20, 'compactor.levels.warnPercent': 30 },
    model: {
      maxInputTokens: 6000,
      maxOutputTokens: 4000,
      replies: [
        { match: SUMMARY_PROMPT, scope: 'prompt', reply: '<summary>\nThe steps so far: parsers and ledgers.\n</summary>', delayMs: SUMMARY_DELAY_MS },
        // The replies carry the bulk: every summary quotes every request (the ledger), so long requests would barely shrink.
        { match: 'step ', scope: 'last', reply: `Noted step {n}. ${bulk('r', 200)}` },
      ],
    },
  });
  const log = () =>
    readFileSync(join(vscode.workspaceDir, '.compactor-test', 'requests.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; id: number; messages?: { text: string }[] });
  const summaries = () => log().filter((e) => e.kind === 'request' && (e.messages ?? []).some((m) => m.text.includes(SUMMARY_PROMPT)));
  try {
    const { page } = vscode;
    await openChat(page);
    await selectChatModel(page);
    let turns = 0;
    for (let i = 1; i <= 10; i++) {
      turns = i;
      const reply = await sendChat(page, `@compactor step ${i}: go on with the migration.`);
      if (/Automatically compacted/.test(reply)) break;
      const pending = summaries()[0];
      if (pending) {
        // Time between turns: the background summary finishes (at most 30 s).
        for (let k = 0; k < 60 && !log().some((e) => e.kind === 'outcome' && e.id === pending.id); k++) await page.waitForTimeout(500);
      }
    }
    const line = /automatic compaction (\w+) after a wait of (\d+) ms( \(prepared in the background\))?/.exec(vscode.outputChannelLog('Context Compactor'));
    if (!line) return { mode, summaryRequests: summaries().length, turns, note: 'no automatic compaction within 10 turns' };
    return { mode, waitMs: Number(line[2]), prepared: line[3] !== undefined, summaryRequests: summaries().length, turns, ...(line[1] !== 'compacted' ? { note: line[1] } : {}) };
  } finally {
    await vscode.stop();
  }
}

export async function benchPreparedWait(): Promise<PreparedWaitResult> {
  const missing = codeServerMissing();
  const base = { summaryDelayMs: SUMMARY_DELAY_MS, runs: [] as PreparedWaitRun[] };
  if (missing) return { status: 'skipped', note: `Skipped: ${missing}.`, ...base };
  try {
    for (const mode of ['prepared', 'unprepared'] as const) base.runs.push(await runOnce(mode));
    return { status: 'measured', note: `one run each in code-server; the fixture model takes ${SUMMARY_DELAY_MS} ms to summarize; wait = time in the auto-compaction step before the request is sent`, ...base };
  } catch (err) {
    return { status: 'failed', note: `failed: ${String((err as Error).message ?? err)}`, ...base };
  }
}

// `node --import tsx bench/speed/preparedWait.ts`: this part alone (the whole bench writes it to RESULTS.md).
if (require.main === module) {
  void benchPreparedWait().then((r) => console.log(JSON.stringify(r, null, 2)));
}
