import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { render, template } from '../../../src/compaction/llm/prompts';
import { instructionPrompt } from '../../../src/compaction/llm/request';

test('templates load from source and render their placeholders', () => {
  assert.match(template('summary'), /\{\{scope\}\}/);
  const text = instructionPrompt('full', undefined, []);
  assert.doesNotMatch(text, /\{\{/);
  for (const section of ['Primary request and intent', 'Key technical concepts', 'Files and code sections', 'Errors and fixes', 'Problem solving', 'All user messages', 'Pending tasks', 'Current work', 'Optional next step']) {
    assert.ok(text.includes(section), section);
  }
  assert.match(text, /<analysis>/);
  assert.doesNotMatch(text, /previous_summary|Additional instructions/, 'no update or custom block without input');
  assert.throws(() => render('update'), /no value for \{\{previousSummary\}\}/);
});

test('a value containing {{…}} is inserted as it is, never re-rendered', () => {
  assert.match(render('update', { previousSummary: 'keep {{scope}} literally' }), /keep \{\{scope\}\} literally/);
});

test('bundled by esbuild (as esbuild.mjs does), the templates are inlined: no prompts folder needed at run time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prompts-bundle-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `export { render } from ${JSON.stringify(join(__dirname, '../../../src/compaction/llm/prompts'))};\n`);
    const out = join(dir, 'bundle.js');
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: out, loader: { '.md': 'text' }, logLevel: 'silent' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(out) as { render: typeof render };
    assert.equal(bundled.render('scope-full'), template('scope-full'));
    assert.match(bundled.render('summary', { scope: 'S', ledger: '', update: '', custom: '' }), /Primary request and intent/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
