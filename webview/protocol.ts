/**
 * Messages between the extension host and the Context webview. Both sides
 * validate every message with these schemas; nothing else crosses.
 */
import { z } from 'zod';

export const UsageSegmentSchema = z.object({
  category: z.string(),
  label: z.string(),
  tokens: z.number().nonnegative(),
});

/** host → webview: the active session's usage (the gauge shows the same numbers). */
export const UsageMessageSchema = z.object({
  type: z.literal('usage'),
  sessionTitle: z.string(),
  usedTokens: z.number().nonnegative(),
  effectiveWindow: z.number().positive(),
  warnPercent: z.number().min(0).max(100),
  autoCompactPercent: z.number().min(0).max(100),
  estimated: z.boolean(),
  segments: z.array(UsageSegmentSchema),
});

/** host → webview: no session is active. */
export const NoSessionMessageSchema = z.object({ type: z.literal('noSession') });

export const HostToWebviewSchema = z.discriminatedUnion('type', [UsageMessageSchema, NoSessionMessageSchema]);
export type HostToWebview = z.infer<typeof HostToWebviewSchema>;

/** webview → host: the view is ready for its first state. */
export const ReadyMessageSchema = z.object({ type: z.literal('ready') });
/** webview → host: a message the host sent failed validation (for the host's log). */
export const InvalidMessageSchema = z.object({ type: z.literal('invalidMessage'), error: z.string() });

export const WebviewToHostSchema = z.discriminatedUnion('type', [ReadyMessageSchema, InvalidMessageSchema]);
export type WebviewToHost = z.infer<typeof WebviewToHostSchema>;
