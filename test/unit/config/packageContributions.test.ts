/**
 * package.json's contributions agree with the code: every `compactor.*`
 * setting is parsed by the settings owner with the same default, every
 * setting the code reads is contributed, and every contributed command is
 * registered (and every registered command contributed). A setting added on
 * one side only fails here, not in a person's editor.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseSettings, SETTING_KEYS, type SettingKey } from '../../../extension/config/settings';
import { DEFAULT_TELEMETRY_SETTINGS, parseTelemetrySettings } from '../../../extension/telemetry/telemetrySettings';

const ROOT = resolve(__dirname, '..', '..', '..');
interface Property {
  type?: string | string[];
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    configuration: { properties: Record<string, Property> } | Array<{ properties: Record<string, Property> }>;
    commands: Array<{ command: string }>;
    menus?: Record<string, Array<{ command?: string }>>;
  };
};
const configurations = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
const properties: Record<string, Property> = Object.assign({}, ...configurations.map((c) => c.properties));
const contributedKeys = Object.keys(properties).filter((k) => k.startsWith('compactor.')).map((k) => k.slice('compactor.'.length));

const TELEMETRY_PREFIX = 'telemetry.';

/** Object keys that occur twice in one JSON object of `text` (JSON.parse keeps the last silently). */
function duplicateKeys(text: string): string[] {
  const dups: string[] = [];
  const stack: Array<Set<string> | undefined> = [];
  const token = /"((?:[^"\\]|\\.)*)"(\s*:)?|[{}[\]]/g;
  for (const m of text.matchAll(token)) {
    if (m[0] === '{') stack.push(new Set());
    else if (m[0] === '[') stack.push(undefined);
    else if (m[0] === '}' || m[0] === ']') stack.pop();
    else if (m[2]) {
      const keys = stack.at(-1);
      if (keys?.has(m[1]!)) dups.push(m[1]!);
      keys?.add(m[1]!);
    }
  }
  return dups;
}

describe('package.json is well formed', () => {
  it('no object has a key twice (a merge that adds a second "editor/title" loses the first one\'s menus)', () => {
    assert.deepEqual(duplicateKeys(readFileSync(join(ROOT, 'package.json'), 'utf8')), []);
    assert.deepEqual(duplicateKeys('{"a": {"b": 1, "b": 2}, "c": [{"d": 1}, {"d": 2}]}'), ['b'], 'the check itself finds a duplicate, and only within one object');
  });
});

describe('package.json settings match the settings owner', () => {
  it('every setting the code parses is contributed, and every contributed setting is parsed', () => {
    const parsed = new Set<string>([...SETTING_KEYS, ...Object.keys(DEFAULT_TELEMETRY_SETTINGS).map((k) => TELEMETRY_PREFIX + k)]);
    assert.deepEqual(contributedKeys.filter((k) => !parsed.has(k)), [], 'contributed in package.json but not parsed by extension/config/settings.ts');
    assert.deepEqual([...parsed].filter((k) => !contributedKeys.includes(k)), [], 'parsed but not contributed in package.json');
  });

  for (const key of SETTING_KEYS) {
    it(`compactor.${key}: package.json's default is valid and is the code's default`, () => {
      const prop = properties[`compactor.${key}`];
      assert.ok(prop, 'contributed');
      assert.ok('default' in prop, 'has a default');
      const withDefault = parseSettings({ [key]: prop.default } as Partial<Record<SettingKey, unknown>>);
      assert.deepEqual(withDefault.problems, [], 'the default passes validation');
      assert.deepEqual(withDefault.settings, parseSettings({}).settings, 'the default is the one the code falls back to');
      if (prop.enum) {
        for (const value of prop.enum) assert.deepEqual(parseSettings({ [key]: value } as Partial<Record<SettingKey, unknown>>).problems, [], `enum value ${JSON.stringify(value)} is accepted`);
      }
      if (typeof prop.maximum === 'number') {
        assert.notDeepEqual(parseSettings({ [key]: prop.maximum + 1 } as Partial<Record<SettingKey, unknown>>).problems, [], 'a value above the contributed maximum is rejected');
      }
    });
  }

  for (const key of Object.keys(DEFAULT_TELEMETRY_SETTINGS) as Array<keyof typeof DEFAULT_TELEMETRY_SETTINGS>) {
    it(`compactor.${TELEMETRY_PREFIX}${key}: package.json's default is the code's default`, () => {
      const prop = properties[`compactor.${TELEMETRY_PREFIX}${key}`];
      assert.ok(prop && 'default' in prop);
      const parsed = parseTelemetrySettings({ [key]: prop.default });
      assert.deepEqual(parsed.problems, []);
      assert.deepEqual(parsed.settings, DEFAULT_TELEMETRY_SETTINGS);
    });
  }
});

/**
 * The ids of the commands the extension registers: each `Command` in
 * extension/commands has `id: 'compactor.x'` or `id: SOME_COMMAND` (or is
 * registered with `registerCommand(…)` or a factory `xCommand('compactor.x')`), a constant
 * defined as `SOME_COMMAND = 'compactor.x'` somewhere in the sources.
 */
function registeredCommandIds(): Set<string> {
  const constants = new Map<string, string>();
  const commandFiles: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/\b([A-Z][A-Z_]*)\s*=\s*'(compactor\.[\w.]+)'/g)) constants.set(m[1]!, m[2]!);
        if (p.includes(join('extension', 'commands'))) commandFiles.push(text);
      }
    }
  };
  walk(join(ROOT, 'extension'));
  walk(join(ROOT, 'src'));
  const ids = new Set<string>();
  for (const text of commandFiles) {
    // `id: 'compactor.x'` / `id: X_COMMAND` (a Command), `registerCommand(X_COMMAND, …)`, or a factory `pinCommand('compactor.x', …)`.
    for (const m of text.matchAll(/(?:\bid:|registerCommand\(|\b[a-z]\w*Command\()\s*(?:'(compactor\.[\w.]+)'|([A-Z][A-Z_]*))/g)) {
      const id = m[1] ?? constants.get(m[2]!);
      assert.ok(id, `command id constant ${m[2]} is defined`);
      ids.add(id);
    }
  }
  return ids;
}

describe('package.json commands match the code', () => {
  const contributed = pkg.contributes.commands.map((c) => c.command);
  const inCode = registeredCommandIds();

  it('every contributed command is registered by extension/commands', () => {
    assert.deepEqual(contributed.filter((id) => !inCode.has(id)), []);
  });

  it('every registered command is contributed', () => {
    assert.deepEqual([...inCode].filter((id) => !contributed.includes(id)), []);
  });

  it('menus name only contributed commands', () => {
    const inMenus = Object.values(pkg.contributes.menus ?? {}).flatMap((items) => items.map((i) => i.command).filter((c): c is string => !!c));
    assert.deepEqual(inMenus.filter((id) => id.startsWith('compactor.') && !contributed.includes(id)), []);
  });
});
