/**
 * SWE-agent trajectories (`*.traj`): `{ environment, trajectory, history, info }`.
 * `history` is what the model saw: the system prompt, a demonstration (`is_demo`),
 * the issue (the one request), then assistant turns (`thought` + `action`) each
 * answered by a `user` observation. We map each action to a tool call (name = the
 * command's first word) and the observation after it to its tool result, so old
 * observations can be masked like any tool result. The assistant text is the
 * `thought` (the content without the action block) so tokens are not counted twice.
 * SWE-agent 1.x histories with OpenAI-style `tool_calls` / `tool` messages are
 * read the same way through their ids.
 */
import * as z from 'zod';
import type { Part } from '../records';
import { LogBuilder, toolArgs, tryParseJson } from './builder';
import { OpenAIToolCallSchema, contentParts } from './openai';

const HistoryEntrySchema = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
  thought: z.string().optional(),
  action: z.string().optional(),
  is_demo: z.boolean().optional(),
  agent: z.string().optional(),
  tool_calls: z.array(OpenAIToolCallSchema).nullish(),
  tool_call_ids: z.array(z.string()).nullish(),
});

const TrajectorySchema = z.looseObject({
  history: z.array(z.unknown()),
  info: z.looseObject({ model_stats: z.unknown().optional() }).optional(),
});

function text(parts: Part[]): string {
  return parts.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

export function importSweAgent(text0: string, b: LogBuilder): void {
  const parsed = TrajectorySchema.safeParse(tryParseJson(text0));
  if (!parsed.success) {
    b.warnInvalid(0, 'trajectory', parsed.error);
    return;
  }
  let pending: { id: string; name: string } | undefined;
  let sawRequest = false;
  parsed.data.history.forEach((raw, i) => {
    const e = HistoryEntrySchema.safeParse(raw);
    if (!e.success) {
      b.warnInvalid(0, `history[${i}]`, e.error);
      return;
    }
    const entry = e.data;
    const parts = contentParts(entry.content);
    switch (entry.role) {
      case 'system':
        b.addSystem(text(parts));
        return;
      case 'assistant': {
        const out: Part[] = [];
        const calls = entry.tool_calls ?? [];
        if (calls.length > 0) {
          out.push(...parts);
          for (const c of calls) {
            const id = c.id ?? `swea_${i}`;
            out.push({ type: 'tool_call', id, name: c.function.name, args: toolArgs(c.function.arguments) });
            pending = { id, name: c.function.name };
          }
        } else if (entry.action !== undefined && entry.action.trim() !== '') {
          const thought = entry.thought ?? text(parts);
          if (thought.trim() !== '') out.push({ type: 'text', text: thought });
          const name = entry.action.trim().split(/\s+/)[0] ?? 'bash';
          pending = { id: `swea_${i}`, name };
          out.push({ type: 'tool_call', id: pending.id, name, args: { command: entry.action.trim() } });
        } else {
          out.push(...parts);
        }
        b.addMessage({ role: 'assistant', parts: out });
        return;
      }
      case 'tool':
      case 'user': {
        const callId = entry.tool_call_ids?.[0] ?? (entry.role === 'tool' || sawRequest ? pending?.id : undefined);
        if (callId && !entry.is_demo) {
          b.addMessage({
            role: 'tool',
            parts: [{ type: 'tool_result', callId, text: text(parts), ...(pending ? { name: pending.name } : {}) }],
          });
          pending = undefined;
          return;
        }
        // The demonstration is context, not a request; the first other user message is the task.
        const request = !entry.is_demo && !sawRequest;
        if (request) sawRequest = true;
        b.addMessage({ role: 'user', parts, request });
        return;
      }
    }
  });
}
