import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as z from 'zod';
import { EditFileInput, parseToolInput, RunInTerminalInput, TOOL_INPUTS } from '../../../extension/tools/toolInputs';

interface ToolContribution {
  name: string;
  toolReferenceName?: string;
  canBeReferencedInPrompt?: boolean;
  inputSchema: { properties?: Record<string, unknown>; required?: string[] };
}
const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { languageModelTools: ToolContribution[] } };

test('package.json contributes every tool with the input its zod schema accepts', () => {
  for (const [name, schema] of Object.entries(TOOL_INPUTS)) {
    const contribution = pkg.contributes.languageModelTools.find((t) => t.name === name);
    assert.ok(contribution, `${name} is contributed`);
    assert.ok(contribution.toolReferenceName && contribution.canBeReferencedInPrompt, `${name} can be #-mentioned`);
    const shape = (schema as z.ZodObject).shape as Record<string, z.ZodType>;
    assert.deepEqual(Object.keys(contribution.inputSchema.properties ?? {}).sort(), Object.keys(shape).sort(), `${name} properties`);
    const required = Object.keys(shape).filter((k) => !shape[k]!.safeParse(undefined).success);
    assert.deepEqual([...(contribution.inputSchema.required ?? [])].sort(), required.sort(), `${name} required`);
  }
});

test('every contributed tool has its schema in TOOL_INPUTS (no tool without a typed input)', () => {
  assert.deepEqual(pkg.contributes.languageModelTools.map((t) => t.name).filter((n) => !(n in TOOL_INPUTS)), []);
});

test('the names other parts of the project rely on', () => {
  const refs = Object.fromEntries(pkg.contributes.languageModelTools.map((t) => [t.name, t.toolReferenceName]));
  assert.equal(refs.compactor_editFile, 'editFile');
  assert.equal(refs.compactor_createFile, 'createFile');
  assert.equal(refs.compactor_writeFile, 'writeFile');
  assert.equal(refs.compactor_runInTerminal, 'runInTerminal');
  assert.equal(refs.compactor_recall, 'recall');
});

test('a bad input is one sentence naming the tool and the field', () => {
  assert.throws(() => parseToolInput('compactor_editFile', EditFileInput, { path: 'a', newText: 'x' }), /Invalid input for compactor_editFile: oldText: /);
  assert.throws(() => parseToolInput('compactor_runInTerminal', RunInTerminalInput, { command: '  ' }), /command: /);
  assert.throws(() => parseToolInput('compactor_runInTerminal', RunInTerminalInput, { command: 'ls', timeoutSeconds: 99_999 }), /timeoutSeconds/);
  assert.deepEqual(parseToolInput('compactor_runInTerminal', RunInTerminalInput, { command: ' ls ' }), { command: 'ls' });
});
