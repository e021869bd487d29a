/**
 * The prompt templates (`prompts/*.md`) and their rendering.
 *
 * Loading works in both ways the engine runs:
 * - bundled (esbuild): `require` with a template literal makes esbuild inline
 *   every `prompts/*.md` with its text loader (esbuild.mjs), so the templates
 *   are part of the bundle, loaded at build time; nothing to copy or package.
 * - from source (tsx: unit tests, the CLI in development): read from the
 *   folder next to this file.
 * test/unit/llm/prompts.test.ts bundles this module to check the first way.
 *
 * `{{name}}` placeholders are filled by `render`; a template that names a
 * value the caller did not give throws (a programming error, never a model's).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type PromptName = 'summary' | 'scope-full' | 'scope-upto' | 'scope-from' | 'update' | 'custom' | 'dropped' | 'ledger';

const cache = new Map<PromptName, string>();

function load(name: PromptName): string {
  if (__filename.endsWith('.ts')) return readFileSync(join(__dirname, 'prompts', `${name}.md`), 'utf8');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundled = require(`./prompts/${name}.md`) as string | { default: string };
  return typeof bundled === 'string' ? bundled : bundled.default;
}

export function template(name: PromptName): string {
  let text = cache.get(name);
  if (text === undefined) cache.set(name, (text = load(name)));
  return text;
}

/** The template with every `{{key}}` replaced (values are inserted as they are, never re-scanned). */
export function render(name: PromptName, values: Record<string, string> = {}): string {
  return template(name).replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`prompt ${name}: no value for {{${key}}}`);
    return value;
  });
}
