/**
 * OpenHands evaluation / resolver output (`output.jsonl`): one run per line, each
 * with `instruction` and a `history` of events. Only the first run is imported
 * (a warning says how many were skipped); use `run` to pick another (1-based line).
 *
 * Events come in two shapes: the older flat one (`{ action: 'run', command,
 * thought }`, `{ observation: 'run', content, exit_code }`) and the newer one
 * (`{ id, source, action, args: {...}, tool_call_metadata, cause, extras }`).
 * An action becomes an assistant message (its `thought` as text, plus a tool
 * call unless it is `message` / `finish`); an observation becomes the tool
 * result of the action it answers (`cause`, else the oldest unanswered call).
 * Bookkeeping observations (`null`, `agent_state_changed`, ...) are skipped.
 */
import * as z from 'zod';
import type { Part } from '../records';
import { LogBuilder, forEachJsonLine, toolArgs } from './builder';

const RunSchema = z.looseObject({
  instance_id: z.union([z.string(), z.number()]).optional(),
  instruction: z.string().optional(),
  history: z.array(z.unknown()),
});

const EventSchema = z.looseObject({
  id: z.number().optional(),
  source: z.string().optional(),
  action: z.string().optional(),
  observation: z.string().optional(),
  content: z.string().nullish(),
  message: z.string().nullish(),
  thought: z.string().nullish(),
  args: z.record(z.string(), z.unknown()).optional(),
  extras: z.record(z.string(), z.unknown()).optional(),
  cause: z.number().nullish(),
  exit_code: z.number().nullish(),
  wait_for_response: z.boolean().optional(),
  tool_call_metadata: z.looseObject({ tool_call_id: z.string().optional(), function_name: z.string().optional() }).nullish(),
});
type Event = z.infer<typeof EventSchema>;

/** Observations that record agent state, not something the model read. */
const SKIPPED_OBSERVATIONS = new Set(['null', 'agent_state_changed', 'user_rejected', 'recall', 'change_agent_state']);
/** Fields of an old-style flat action that are bookkeeping, not arguments. */
const NOT_ARGS = new Set(['action', 'thought', 'action_risk', 'is_confirmed', 'keep_prompt', 'kernel_init_code', 'id', 'source', 'timestamp', 'message', 'images_urls', 'wait_for_response', 'security_risk']);

export interface OpenHandsOptions {
  /** 1-based line of the run to import (default: the first run). */
  run?: number;
}

function actionArgs(e: Event): Record<string, unknown> {
  if (e.args) {
    const { thought: _t, ...rest } = e.args;
    return rest;
  }
  return Object.fromEntries(Object.entries(e).filter(([k]) => !NOT_ARGS.has(k)));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

export function importOpenHands(text: string, b: LogBuilder, options: OpenHandsOptions = {}): void {
  const runs: Array<{ line: number; value: unknown }> = [];
  forEachJsonLine(text, b, (value, line) => runs.push({ line, value }));
  if (runs.length === 0) return;
  const chosen = options.run !== undefined ? runs.find((r) => r.line === options.run) : runs[0];
  if (!chosen) {
    b.warn(0, `no run on line ${options.run}`);
    return;
  }
  if (runs.length > 1) {
    b.warn(chosen.line, `file holds ${runs.length} runs; imported the one on line ${chosen.line} only`);
  }
  const run = RunSchema.safeParse(chosen.value);
  if (!run.success) {
    b.warnInvalid(chosen.line, 'run', run.error);
    return;
  }
  if (run.data.instance_id !== undefined) b.header.id = String(run.data.instance_id);
  const line = chosen.line;
  const pending: Array<{ id: string; name: string; eventId?: number }> = [];
  let sawUser = false;

  run.data.history.forEach((raw, i) => {
    const parsed = EventSchema.safeParse(raw);
    if (!parsed.success) return b.warnInvalid(line, `history[${i}]`, parsed.error);
    const e = parsed.data;
    if (e.action !== undefined) {
      const args = actionArgs(e);
      const thought = str(e.thought) ?? str(e.args?.thought);
      if (e.action === 'system') {
        b.addSystem(str(args.content) ?? '');
        return;
      }
      if (e.action === 'message') {
        const content = str(args.content) ?? str(e.content) ?? str(e.message) ?? '';
        // Older runs have no `source`: the first message is the task, later ones the agent's.
        const fromUser = e.source ? e.source === 'user' : !sawUser || e.wait_for_response === false;
        if (fromUser) {
          b.addMessage({ role: 'user', parts: [{ type: 'text', text: content }], request: true });
          sawUser = true;
        } else {
          b.addMessage({ role: 'assistant', parts: [{ type: 'text', text: content }] });
        }
        return;
      }
      const parts: Part[] = [];
      if (e.action === 'finish') {
        const final = str(args.final_thought) ?? thought ?? str((args.outputs as Record<string, unknown> | undefined)?.content);
        if (final) parts.push({ type: 'text', text: final });
        b.addMessage({ role: 'assistant', parts });
        return;
      }
      if (thought) parts.push({ type: 'text', text: thought });
      const id = e.tool_call_metadata?.tool_call_id ?? `oh_${i}`;
      const name = e.tool_call_metadata?.function_name ?? e.action;
      parts.push({ type: 'tool_call', id, name, args: toolArgs(args) });
      pending.push({ id, name, ...(e.id !== undefined ? { eventId: e.id } : {}) });
      b.addMessage({ role: 'assistant', parts });
      return;
    }
    if (e.observation !== undefined) {
      if (SKIPPED_OBSERVATIONS.has(e.observation)) return;
      const at = e.cause !== undefined && e.cause !== null ? pending.findIndex((p) => p.eventId === e.cause) : -1;
      const index = at >= 0 ? at : pending.length > 0 ? 0 : -1;
      if (index < 0) return b.warn(line, `history[${i}]: observation "${e.observation}" answers no action; skipped`);
      const call = pending.splice(index, 1)[0]!;
      const exit = e.exit_code ?? (e.extras?.exit_code as number | undefined) ?? (e.extras?.metadata as { exit_code?: number } | undefined)?.exit_code;
      const isError = e.observation === 'error' || (typeof exit === 'number' && exit !== 0 && exit !== -1);
      b.addMessage({
        role: 'tool',
        parts: [{ type: 'tool_result', callId: call.id, name: call.name, text: e.content ?? '', ...(isError ? { isError } : {}) }],
      });
      return;
    }
    b.warn(line, `history[${i}]: neither an action nor an observation; skipped`);
  });
}
