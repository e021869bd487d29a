/** telemetry.json (what we tell people we collect) and the zod schemas (what the code can send) agree. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as z from 'zod';
import { TELEMETRY_EVENTS } from '../../../extension/telemetry/events';

interface DocProperty {
  type: 'string' | 'integer' | 'boolean' | 'enum';
  values?: string[];
  why: string;
}
interface Doc {
  events: Record<string, { level: string; why: string; properties: Record<string, DocProperty> }>;
}

const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'telemetry.json'), 'utf8')) as Doc;

interface JsonSchema {
  type?: string;
  enum?: string[];
  anyOf?: JsonSchema[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** The documented type of a schema property: enum values, or string/integer/boolean. */
function kindOf(schema: JsonSchema): { type: DocProperty['type']; values?: string[] } {
  if (schema.enum) return { type: 'enum', values: schema.enum };
  if (schema.anyOf) {
    const kinds = new Set(schema.anyOf.map((s) => s.type ?? (typeof s.const === 'string' ? 'string' : 'other')));
    assert.equal(kinds.size, 1, 'a union documents as one type');
    return { type: [...kinds][0] as DocProperty['type'] };
  }
  return { type: schema.type as DocProperty['type'] };
}

test('telemetry.json lists exactly the events of events.ts, with their levels', () => {
  assert.deepEqual(Object.keys(doc.events).sort(), Object.keys(TELEMETRY_EVENTS).sort());
  for (const [name, def] of Object.entries(TELEMETRY_EVENTS)) assert.equal(doc.events[name]?.level, def.level, `${name} level`);
});

test('every property is documented with the schema\'s type (and enum values) and a reason', () => {
  for (const [name, def] of Object.entries(TELEMETRY_EVENTS)) {
    const schema = z.toJSONSchema(def.schema, { unrepresentable: 'any' }) as JsonSchema;
    const documented = doc.events[name]!.properties;
    assert.deepEqual(Object.keys(documented).sort(), Object.keys(schema.properties ?? {}).sort(), `${name}: properties`);
    assert.deepEqual([...(schema.required ?? [])].sort(), Object.keys(documented).sort(), `${name}: every property is always sent`);
    for (const [prop, propSchema] of Object.entries(schema.properties ?? {})) {
      const entry = documented[prop]!;
      const kind = kindOf(propSchema);
      assert.equal(entry.type, kind.type, `${name}.${prop}: type`);
      if (kind.values) assert.deepEqual(entry.values, kind.values, `${name}.${prop}: values`);
      assert.ok(entry.why.length > 20, `${name}.${prop}: says why`);
    }
    assert.ok(doc.events[name]!.why.length > 20, `${name}: says why`);
  }
});
