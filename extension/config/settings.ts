/**
 * The extension's settings (`compactor.*`): one zod schema, parsed as a whole.
 * The one owner of settings: everything else reads them from `Configuration`
 * (`compactor.telemetry.*` are parsed by `telemetry/telemetrySettings.ts`,
 * which keeps their values out of messages, and read through `Configuration`
 * too). `test/unit/config/packageContributions.test.ts` checks package.json
 * against these keys and defaults.
 * A malformed value never breaks the extension: it falls back to its default
 * and the problem is reported once, naming the setting. No vscode import here,
 * so the parser is unit-tested in plain Node; `configuration.ts` reads VS Code.
 */
import * as z from 'zod';
import { MAX_CONSECUTIVE_AUTO_FAILURES } from '../../src/compaction/constants';

export const SETTINGS_SECTION = 'compactor';

export const DEFAULT_SETTINGS = {
  autoCompact: { enabled: true },
  levels: { warnPercent: 70, autoCompactPercent: 85, targetPercent: 40 },
  keepTailTurns: 2,
  maskToolResultsAfterTurns: 3,
  circuitBreakerFailures: MAX_CONSECUTIVE_AUTO_FAILURES,
  summaryModel: '',
  /** afterMinutes 0 = off; minTokens: smaller contexts are not worth compacting while idle. */
  idleCompaction: { afterMinutes: 0, minTokens: 20_000 },
  engineTrace: 'off' as 'off' | 'messages' | 'verbose',
  /** A single tool result above this share of the window is flagged in a transcript. */
  transcript: { largeToolResultPercent: 10 },
  /** The @compactor agent: tool rounds per request before it stops and offers Continue; other extensions' tools it offers. */
  agent: { maxToolRounds: 50, externalTools: 'mentioned' as 'mentioned' | 'all' | 'none' },
  /** `compactor.compaction.preview`: which compactions open the preview (summary editable) before applying. */
  compactionPreview: 'manual' as PreviewMode,
  /** `compactor.levels.preparePercent`: at this level the next compaction's summary is prepared in the background; 0 = off. */
  preparePercent: 75,
};
/** always: every compaction a person starts (also partial ones); manual: Compact Conversation; never. Automatic ones never wait. */
export type PreviewMode = 'always' | 'manual' | 'never';
export type Settings = typeof DEFAULT_SETTINGS;

/** Keys (below `compactor.`) whose change needs the compaction server restarted. */
export const RESTART_SERVER_KEYS = ['engine.trace'] as const;

const percent = z.number().int().min(1).max(100);

/** Raw setting values as VS Code hands them over, keyed as in package.json. */
const fields = {
  'autoCompact.enabled': z.boolean(),
  'levels.warnPercent': percent,
  'levels.autoCompactPercent': percent,
  'levels.targetPercent': percent,
  keepTailTurns: z.number().int().min(0).max(50),
  maskToolResultsAfterTurns: z.number().int().min(0).max(100),
  circuitBreakerFailures: z.number().int().min(1).max(20),
  summaryModel: z.string(),
  // 0 turns it off; fractions down to 0.05 min (3 s) are allowed so tests can use short idle times.
  'idleCompaction.afterMinutes': z
    .number()
    .min(0)
    .max(10_080)
    .refine((v) => v === 0 || v >= 0.05, { message: 'must be 0 (off) or at least 0.05 minutes' }),
  'idleCompaction.minTokens': z.number().int().min(0),
  'engine.trace': z.enum(['off', 'messages', 'verbose']),
  'transcript.largeToolResultPercent': percent,
  'agent.maxToolRounds': z.number().int().min(1).max(1000),
  'agent.externalTools': z.enum(['mentioned', 'all', 'none']),
  'compaction.preview': z.enum(['always', 'manual', 'never']),
  'levels.preparePercent': z.number().int().min(0).max(100),
} as const;
export type SettingKey = keyof typeof fields;
export const SETTING_KEYS = Object.keys(fields) as SettingKey[];

export interface ParsedSettings {
  settings: Settings;
  /** One sentence per rejected value, naming the setting and what was used instead. */
  problems: string[];
}

/** Parses raw values (undefined = not set). Never throws. */
export function parseSettings(raw: Partial<Record<SettingKey, unknown>>): ParsedSettings {
  const problems: string[] = [];
  const pick = <K extends SettingKey>(key: K, fallback: z.infer<(typeof fields)[K]>): z.infer<(typeof fields)[K]> => {
    const value = raw[key];
    if (value === undefined) return fallback;
    const parsed = fields[key].safeParse(value);
    if (parsed.success) return parsed.data as z.infer<(typeof fields)[K]>;
    problems.push(`compactor.${key}: ${JSON.stringify(value)} is not valid (${parsed.error.issues[0]?.message ?? 'invalid'}); using ${JSON.stringify(fallback)}.`);
    return fallback;
  };
  const d = DEFAULT_SETTINGS;
  let levels = {
    warnPercent: pick('levels.warnPercent', d.levels.warnPercent),
    autoCompactPercent: pick('levels.autoCompactPercent', d.levels.autoCompactPercent),
    targetPercent: pick('levels.targetPercent', d.levels.targetPercent),
  };
  if (!(levels.warnPercent < levels.autoCompactPercent && levels.targetPercent < levels.autoCompactPercent)) {
    problems.push(
      `compactor.levels: warn (${levels.warnPercent}%) and target (${levels.targetPercent}%) must be below auto-compact (${levels.autoCompactPercent}%); using the defaults ${d.levels.warnPercent}/${d.levels.autoCompactPercent}/${d.levels.targetPercent}.`,
    );
    levels = { ...d.levels };
  }
  let preparePercent = pick('levels.preparePercent', d.preparePercent);
  if (preparePercent !== 0 && preparePercent >= levels.autoCompactPercent) {
    const fallback = d.preparePercent < levels.autoCompactPercent ? d.preparePercent : 0;
    problems.push(
      `compactor.levels.preparePercent: ${preparePercent}% must be below auto-compact (${levels.autoCompactPercent}%), or 0 (off); using ${fallback}.`,
    );
    preparePercent = fallback;
  }
  return {
    settings: {
      autoCompact: { enabled: pick('autoCompact.enabled', d.autoCompact.enabled) },
      levels,
      keepTailTurns: pick('keepTailTurns', d.keepTailTurns),
      maskToolResultsAfterTurns: pick('maskToolResultsAfterTurns', d.maskToolResultsAfterTurns),
      circuitBreakerFailures: pick('circuitBreakerFailures', d.circuitBreakerFailures),
      summaryModel: pick('summaryModel', d.summaryModel),
      idleCompaction: {
        afterMinutes: pick('idleCompaction.afterMinutes', d.idleCompaction.afterMinutes),
        minTokens: pick('idleCompaction.minTokens', d.idleCompaction.minTokens),
      },
      engineTrace: pick('engine.trace', d.engineTrace),
      transcript: { largeToolResultPercent: pick('transcript.largeToolResultPercent', d.transcript.largeToolResultPercent) },
      agent: {
        maxToolRounds: pick('agent.maxToolRounds', d.agent.maxToolRounds),
        externalTools: pick('agent.externalTools', d.agent.externalTools),
      },
      compactionPreview: pick('compaction.preview', d.compactionPreview),
      preparePercent,
    },
    problems,
  };
}
