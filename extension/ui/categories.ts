import type { UsageCategory } from '../../src/compaction/usage';

/** How each usage category is named in the gauge, the chat and the webview. */
export const CATEGORY_LABELS: Record<UsageCategory, string> = {
  system: 'System & instructions',
  summary: 'Summary',
  attachments: 'Attachments',
  user: 'User messages',
  assistant: 'Assistant messages',
  toolCalls: 'Tool calls',
  toolResults: 'Tool results',
  reservedOutput: 'Reserved for output',
  free: 'Free',
};
