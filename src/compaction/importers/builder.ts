/**
 * Accumulates the messages an importer maps out of a transcript and turns them
 * into a `SessionLog`. Every importer goes through this one place so ids, token
 * counts, encodings and turn numbers are assigned the same way for every format.
 *
 * Invariants: message ids are `m<index>` in input order and unique; `tokens` is
 * counted once here with the injected counter and stored with its encoding;
 * `turn` is 0 for everything up to and including the first real user request and
 * grows by one at each later request.
 */
import type { CompactionRecord, MessageRecord, ModelInfo, Part, ProviderUsage, Role, SessionHeader } from '../records';
import { LOG_VERSION } from '../records';
import { deeperThan, MAX_ARGS_DEPTH, stringifyDeep } from '../safeJson';
import type { SessionLog } from '../records';
import type { TokenCounter } from '../types';
import { ImportError, type ImportWarning } from './errors';
import type { ZodError } from 'zod';

/** Timestamp used when a format records none (SWE-agent, OpenAI messages). */
export const UNKNOWN_TIME = new Date(0).toISOString();

export interface MessageInput {
  role: Role;
  parts: Part[];
  at?: string;
  usage?: ProviderUsage;
  /** True for a real user request (typed by a person, or the task given to an agent): starts a new turn. */
  request?: boolean;
}

export interface HeaderInput {
  id?: string;
  createdAt?: string;
  title?: string;
  model?: ModelInfo;
  systemPrompt?: string;
}

export class LogBuilder {
  readonly warnings: ImportWarning[] = [];
  readonly header: HeaderInput = {};
  private readonly records: Array<MessageRecord | CompactionRecord> = [];
  private readonly systemParts: string[] = [];
  /** Ids of the messages that are real user requests, in order. */
  readonly requestIds: string[] = [];
  private messageCount = 0;
  private requests = 0;

  constructor(
    readonly counter: TokenCounter,
    readonly format: string,
  ) {}

  warn(line: number, message: string): void {
    this.warnings.push({ line, message });
  }

  /** Reports a record that failed its schema, naming the first problem. */
  warnInvalid(line: number, what: string, error: ZodError): void {
    const issue = error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    this.warn(line, `skipped ${what}: ${issue?.message ?? 'invalid shape'}${where}`);
  }

  /** System prompts are concatenated in order into the header. */
  addSystem(text: string): void {
    if (text.trim() !== '') this.systemParts.push(text);
  }

  /** Adds a message and returns its id; a message without parts is dropped (returns undefined). */
  addMessage(input: MessageInput): string | undefined {
    if (input.parts.length === 0) return undefined;
    input = { ...input, parts: input.parts.map((p) => this.shallowArgs(p)) };
    if (input.request) this.requests++;
    const id = `m${this.messageCount++}`;
    const record: MessageRecord = {
      type: 'message',
      id,
      at: input.at ?? this.header.createdAt ?? UNKNOWN_TIME,
      role: input.role,
      parts: input.parts,
      tokens: this.counter.countParts(input.parts),
      encoding: this.counter.encoding,
      turn: Math.max(0, this.requests - 1),
    };
    if (input.usage && Object.keys(input.usage).length > 0) record.usage = input.usage;
    // Only the exception is stored: a user message the importer says is not a request (what "the first request" is).
    if (input.role === 'user' && input.request === false) record.request = false;
    if (input.request) this.requestIds.push(id);
    this.records.push(record);
    return id;
  }

  /**
   * Tool arguments nested deeper than MAX_ARGS_DEPTH are kept as their JSON
   * text: everything downstream (counting, exports, the session log) would
   * otherwise recurse through them and overflow the stack.
   */
  private shallowArgs(part: Part): Part {
    if (part.type !== 'tool_call' || typeof part.args === 'string' || !deeperThan(part.args, MAX_ARGS_DEPTH)) return part;
    this.warn(0, `tool call ${part.name} (${part.id}): arguments nested deeper than ${MAX_ARGS_DEPTH} levels kept as JSON text`);
    return { ...part, args: stringifyDeep(part.args) };
  }

  /** The last message added, for formats that stream one message over several records. */
  lastMessage(): MessageRecord | undefined {
    const last = this.records[this.records.length - 1];
    return last?.type === 'message' ? last : undefined;
  }

  /** Replaces the parts of the last message (recounting its tokens). */
  extendLastMessage(parts: Part[], usage?: ProviderUsage): void {
    const last = this.lastMessage();
    if (!last) return;
    last.parts = [...last.parts, ...parts];
    last.tokens = this.counter.countParts(last.parts);
    if (usage && Object.keys(usage).length > 0) last.usage = usage;
  }

  addCompaction(record: CompactionRecord): void {
    this.records.push(record);
  }

  messageIds(): string[] {
    return this.records.filter((r): r is MessageRecord => r.type === 'message').map((r) => r.id);
  }

  messages(): MessageRecord[] {
    return this.records.filter((r): r is MessageRecord => r.type === 'message');
  }

  build(fileName?: string): SessionLog {
    if (this.messageCount === 0) {
      const what = fileName ? `${fileName}: ` : '';
      const first = this.warnings[0];
      const why = first ? ` (first problem: ${first.line > 0 ? `line ${first.line}: ` : ''}${first.message})` : '';
      throw new ImportError('no_messages', `${what}no messages found in this ${this.format} transcript${why}`);
    }
    const systemPrompt = this.systemParts.length > 0 ? this.systemParts.join('\n\n') : undefined;
    const header: SessionHeader = {
      type: 'session',
      v: LOG_VERSION,
      id: this.header.id || (fileName ? baseName(fileName) : 'imported'),
      createdAt: this.header.createdAt ?? this.messages()[0]?.at ?? UNKNOWN_TIME,
      importedFrom: this.format,
    };
    if (this.header.title) header.title = this.header.title;
    if (this.header.model) header.model = this.header.model;
    if (systemPrompt !== undefined) {
      header.systemPrompt = systemPrompt;
      // As a message: its text plus the per-message framing, like every other message count.
      header.systemTokens = this.counter.countParts([{ type: 'text', text: systemPrompt }]);
    }
    return { header, records: this.records };
  }
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** Parses JSON, returning undefined instead of throwing. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Arguments of a tool call: the parsed object when they are a JSON object, otherwise the raw string. */
export function toolArgs(raw: unknown): Record<string, unknown> | string {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw === 'string') {
    const parsed = tryParseJson(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    return raw;
  }
  return raw === undefined ? {} : JSON.stringify(raw);
}

/** Calls `visit` for every non-blank line of a JSONL text with its 1-based line number and parsed value. */
export function forEachJsonLine(
  text: string,
  builder: LogBuilder,
  visit: (value: unknown, line: number) => void,
): void {
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const value = tryParseJson(raw);
    if (value === undefined) {
      const torn = i >= lines.length - 2 ? ' (torn last line?)' : '';
      builder.warn(i + 1, `skipped line that is not valid JSON${torn}`);
      return;
    }
    visit(value, i + 1);
  });
}
