/**
 * Guesses a transcript's format from its content (the file name only breaks
 * ties). Whole-document JSON is recognised by its top-level keys; JSONL by its
 * first few lines that parse.
 */
import { tryParseJson } from './builder';

export const FORMAT_NAMES = ['openai', 'claude-code', 'pi', 'swe-agent', 'mini-swe-agent', 'openhands'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}

/** Lines looked at to recognise a JSONL format. */
const SNIFF_LINES = 20;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function detectDocument(doc: unknown): FormatName | undefined {
  if (Array.isArray(doc)) return doc.some((m) => isObj(m) && typeof m.role === 'string') ? 'openai' : undefined;
  if (!isObj(doc)) return undefined;
  if (Array.isArray(doc.history) && ('trajectory' in doc || 'environment' in doc)) return 'swe-agent';
  if (Array.isArray(doc.history) && 'instruction' in doc) return 'openhands';
  if (Array.isArray(doc.messages)) {
    const fmt = typeof doc.trajectory_format === 'string' ? doc.trajectory_format : '';
    if (fmt.startsWith('mini-swe-agent') || isObj(doc.info)) return 'mini-swe-agent';
    return 'openai';
  }
  return undefined;
}

function detectLine(o: Obj): FormatName | undefined {
  if (Array.isArray(o.history) && ('instruction' in o || 'instance_id' in o)) return 'openhands';
  if (o.type === 'session' && ('cwd' in o || 'modelId' in o)) return 'pi';
  if (o.type === 'message' && isObj(o.message) && typeof o.message.role === 'string') return 'pi';
  if (o.type === 'compaction' && 'firstKeptEntryIndex' in o) return 'pi';
  if ('parentUuid' in o || 'isSidechain' in o || o.type === 'summary' && 'leafUuid' in o) return 'claude-code';
  if ((o.type === 'user' || o.type === 'assistant') && isObj(o.message)) return 'claude-code';
  if (typeof o.role === 'string') return 'openai';
  return undefined;
}

/** The detected format, or undefined when nothing matches. */
export function detectFormat(text: string, fileName?: string): FormatName | undefined {
  const doc = tryParseJson(text);
  if (doc !== undefined) {
    const byDoc = detectDocument(doc);
    if (byDoc) return byDoc;
  }
  let seen = 0;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    if (++seen > SNIFF_LINES) break;
    const o = tryParseJson(raw);
    if (!isObj(o)) continue;
    const byLine = detectLine(o);
    if (byLine) return byLine;
  }
  if (fileName?.endsWith('.traj.json')) return 'mini-swe-agent';
  if (fileName?.endsWith('.traj')) return 'swe-agent';
  return undefined;
}
