// What the demo serves, in one place so the demo (scripts/demo.ts) and its
// browser test (test/browser/agentLoop.test.ts) run the same thing: the files
// of demo/workspace, copied fresh into a new temp workspace on every start (so
// the time-zone bug is there each time), and the local model's configuration.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../test/browser/harness/codeServer';
import type { TestModelConfig } from '../test/browser/harness/vscode';

export const DEMO_DIR = join(REPO_ROOT, 'demo');
export const DEMO_TRANSCRIPT = join(DEMO_DIR, 'session.json');

/** The prompt the README names: the model's scripted agent fixes the bug on it. */
export const DEMO_PROMPT = '@compactor fix the time-zone bug: `todo due` misses todos due later today when I run it from Berlin';

/**
 * The demo's model: the test fixture with a small window (8,000 tokens, so a
 * long agent run compacts several times), the scripted agent on DEMO_PROMPT
 * (any request with "fix the time-zone bug" in it), and an echo otherwise.
 */
export const DEMO_MODEL: TestModelConfig = {
  maxInputTokens: 8000,
  maxOutputTokens: 4000,
  replies: [{ match: '/fix the time[- ]?zone bug/i', scope: 'last', script: 'fix-timezone' }],
};

/** demo/workspace as relative path → content, plus the model's configuration. */
export function demoWorkspaceFiles(): Record<string, string> {
  const root = join(DEMO_DIR, 'workspace');
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  out['.compactor-test/model.json'] = JSON.stringify(DEMO_MODEL, null, 2);
  return out;
}
