// One call that gives a browser test a real VS Code: code-server with the
// packaged extension (dist/context-compactor.vsix) and the test-model fixture
// installed, a workspace with the test's files, and a Chromium page on the
// workbench. Always pair it with `t.after(() => vscode.stop())`.
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { launchBrowser, openWorkbench, screenshot } from './browser';

export const PRODUCT_VSIX = join(REPO_ROOT, 'dist', 'context-compactor.vsix');
export const TEST_MODEL_EXTENSION = join(REPO_ROOT, 'test', 'fixtures', 'test-model');

/** `.compactor-test/model.json`, read by the fixture model on every call. */
export interface TestModelConfig {
  maxInputTokens?: number;
  maxOutputTokens?: number;
  charsPerToken?: number;
  /** First match wins; `match` is a case-insensitive substring or `/regex/flags`. */
  replies?: {
    match: string;
    scope?: 'prompt' | 'last';
    reply?: string;
    /** Emit these tool calls instead of text (until the last message carries their results). */
    toolCalls?: { name: string; input?: Record<string, unknown> }[];
    /** The reply once the tool results are in. */
    afterTools?: string;
    /** Run the fixture's scripted agent instead (test/fixtures/test-model/scriptedAgent.js). */
    script?: 'fix-timezone';
    /** Wait this long before answering (a slow summary model). */
    delayMs?: number;
  }[];
  chunkChars?: number;
  chunkDelayMs?: number;
  slowChunkDelayMs?: number;
  failWith?: string;
}

/** One request the fixture model received, with its outcome when it has finished. */
export interface ModelRequest {
  id: number;
  time: string;
  model: string;
  messages: { role: 'user' | 'assistant' | 'system' | string; name?: string; text: string; parts: string[] }[];
  optionKeys: string[];
  modelOptions: Record<string, unknown>;
  toolNames: string[];
  toolMode?: number;
  promptTokens: number;
  outcome?: {
    status: 'ok' | 'error' | 'cancelled';
    reply?: string;
    error?: string;
    usage?: { promptTokens: number; completionTokens: number };
  };
}

export interface StartVsCodeOptions {
  /** Files created in the workspace before start, relative path → content. */
  workspaceFiles?: Record<string, string>;
  /** User settings merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** false starts code-server with `--disable-telemetry` and telemetry level off. */
  telemetry?: boolean;
  /** Written to `.compactor-test/model.json` before start. */
  model?: TestModelConfig;
  /** Extra extension folders or .vsix files to install. */
  extraExtensions?: string[];
  /** Extra environment for code-server and the extension host. */
  env?: Record<string, string>;
}

export interface VsCode {
  page: Page;
  browser: Browser;
  server: CodeServer;
  workspaceDir: string;
  /** Requests the fixture model received so far, oldest first. */
  requestsOfModel(): ModelRequest[];
  /** Rewrites `.compactor-test/model.json` (the fixture reads it on every call). */
  setModelConfig(config: TestModelConfig): void;
  /** Text of the extension's log output channel as VS Code wrote it to disk ('' when absent). */
  outputChannelLog(channelName: string): string;
  screenshot(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startVsCode(options: StartVsCodeOptions = {}): Promise<VsCode> {
  if (!existsSync(PRODUCT_VSIX)) {
    throw new Error(`${PRODUCT_VSIX} is missing: run \`npm run package\` (npm run test:browser does it first)`);
  }
  const workspaceFiles = { ...options.workspaceFiles };
  if (options.model) workspaceFiles['.compactor-test/model.json'] = JSON.stringify(options.model, null, 2);
  const server = await startCodeServer({
    extensions: [PRODUCT_VSIX, TEST_MODEL_EXTENSION, ...(options.extraExtensions ?? [])],
    workspaceFiles,
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.telemetry !== undefined ? { telemetry: options.telemetry } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await server.stop();
  };
  try {
    browser = await launchBrowser();
    const page = await openWorkbench(browser, server.url);
    const stateDir = join(server.workspaceDir, '.compactor-test');
    return {
      page,
      browser,
      server,
      workspaceDir: server.workspaceDir,
      requestsOfModel: () => readModelLog(join(stateDir, 'requests.jsonl')),
      setModelConfig: (config) => {
        mkdirSync(stateDir, { recursive: true });
        writeFileSync(join(stateDir, 'model.json'), JSON.stringify(config, null, 2));
      },
      outputChannelLog: (name) => findOutputLog(join(server.userDataDir, 'logs'), `${name}.log`),
      screenshot: (name) => screenshot(page, name),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function readModelLog(path: string): ModelRequest[] {
  if (!existsSync(path)) return [];
  const requests = new Map<number, ModelRequest>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line) as { kind: string; id: number } & Record<string, unknown>;
    if (entry.kind === 'request') {
      const { kind: _kind, ...request } = entry;
      requests.set(entry.id, request as unknown as ModelRequest);
    } else if (entry.kind === 'outcome') {
      const request = requests.get(entry.id);
      if (request) request.outcome = entry as unknown as ModelRequest['outcome'];
    }
  }
  return [...requests.values()];
}

/** VS Code writes each log output channel of an extension to `<logs>/<session>/.../<name>.log`. */
function findOutputLog(dir: string, fileName: string): string {
  if (!existsSync(dir)) return '';
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === fileName) {
      text += readFileSync(join(entry.parentPath ?? entry.path, entry.name), 'utf8');
    }
  }
  return text;
}
