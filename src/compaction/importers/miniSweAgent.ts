/**
 * mini-swe-agent trajectories (`*.traj.json`): `{ info, messages, trajectory_format,
 * instance_id }`. `messages` are OpenAI chat messages plus an `extra` object (the
 * raw API response, the command's return code) and a final `exit` message holding
 * the submission, which was never sent to the model and is skipped.
 * Format 1.1 calls tools (`tool_calls`, `tool` results); the older format put the
 * command in a ```bash block and the observation in the next `user` message, so
 * there only the first user message is a request.
 */
import * as z from 'zod';
import { LogBuilder, tryParseJson } from './builder';
import { OpenAIMessageMapper, OpenAIMessageSchema, type OpenAIMessage } from './openai';

const MiniTrajectorySchema = z.looseObject({
  messages: z.array(z.unknown()),
  trajectory_format: z.string().optional(),
  instance_id: z.string().optional(),
  info: z
    .looseObject({
      config: z
        .looseObject({ model: z.looseObject({ model_name: z.string().optional() }).optional() })
        .optional(),
      exit_status: z.string().optional(),
    })
    .optional(),
});

/** The command's return code: `extra.returncode`, else the `<returncode>` tag of the observation. */
function returnCode(message: OpenAIMessage): number | undefined {
  const extra = message.extra as { returncode?: unknown } | undefined;
  if (typeof extra?.returncode === 'number') return extra.returncode;
  const text = typeof message.content === 'string' ? message.content : '';
  const tag = /<returncode>(-?\d+)<\/returncode>/.exec(text);
  return tag ? Number(tag[1]) : undefined;
}

export function importMiniSweAgent(text: string, b: LogBuilder): void {
  const doc = tryParseJson(text);
  const parsed = MiniTrajectorySchema.safeParse(doc);
  if (!parsed.success) {
    b.warnInvalid(0, 'trajectory', parsed.error);
    return;
  }
  const traj = parsed.data;
  if (traj.instance_id) b.header.id = traj.instance_id;
  const model = traj.info?.config?.model?.model_name;
  if (model) b.header.model = { id: model };
  const usesTools = traj.messages.some((m) => Array.isArray((m as { tool_calls?: unknown })?.tool_calls));
  const mapper = new OpenAIMessageMapper(b, {
    isRequest: (_m, userIndex) => usesTools || userIndex === 0,
    isError: (m) => {
      const code = returnCode(m);
      return code === undefined ? undefined : code !== 0;
    },
  });
  traj.messages.forEach((raw, i) => {
    if ((raw as { role?: unknown })?.role === 'exit') return; // the submission, not part of the context
    const msg = OpenAIMessageSchema.safeParse(raw);
    if (!msg.success) b.warnInvalid(0, `messages[${i}]`, msg.error);
    else mapper.add(msg.data, 0);
  });
}
