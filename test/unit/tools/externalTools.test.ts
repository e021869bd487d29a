import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectTools, unrunnableReason } from '../../../extension/tools/externalTools';

const tools = [
  { name: 'compactor_readFile', tags: [] },
  { name: 'compactor_recall', tags: [] },
  { name: 'mcp_github_search', tags: ['mcp'] },
  { name: 'weather_lookup', tags: [] },
  { name: 'copilot_replaceString', tags: ['vscode_editing'] },
  { name: 'vscode_get_terminal_confirmation', tags: [] },
  { name: 'someones_editor', tags: ['vscode_editing_with_tests'] },
];
const names = (r: { offered: Array<{ name: string }> }) => r.offered.map((t) => t.name);

test('by default only our tools and the mentioned ones are offered', () => {
  const r = selectTools(tools, 'mentioned', new Set(['weather_lookup']));
  assert.deepEqual(names(r), ['compactor_readFile', 'compactor_recall', 'weather_lookup']);
  assert.deepEqual(r.refused, []);
});

test('"all" offers every tool that can run from our loop', () => {
  assert.deepEqual(names(selectTools(tools, 'all', new Set())), ['compactor_readFile', 'compactor_recall', 'mcp_github_search', 'weather_lookup']);
});

test('"none" offers only ours and says why a mention was ignored', () => {
  const r = selectTools(tools, 'none', new Set(['mcp_github_search']));
  assert.deepEqual(names(r), ['compactor_readFile', 'compactor_recall']);
  assert.deepEqual(r.refused, [{ name: 'mcp_github_search', reason: 'compactor.agent.externalTools is "none"' }]);
});

test('Copilot and VS Code internal tools are never offered, even when mentioned, and the person is told why', () => {
  const r = selectTools(tools, 'all', new Set(['copilot_replaceString', 'someones_editor']));
  assert.ok(!names(r).includes('copilot_replaceString'));
  assert.ok(!names(r).includes('vscode_get_terminal_confirmation'));
  assert.ok(!names(r).includes('someones_editor'));
  assert.equal(r.refused.length, 2);
  assert.match(r.refused[0]!.reason, /Copilot/);
  assert.match(unrunnableReason({ name: 'x', tags: ['vscode_editing'] }) ?? '', /editing session/);
  assert.equal(unrunnableReason({ name: 'mcp_x', tags: ['mcp'] }), undefined);
});
