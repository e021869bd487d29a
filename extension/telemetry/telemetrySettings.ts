/**
 * `compactor.telemetry.*`: parsed with zod, never throwing. No vscode import.
 * The key and host may also come from build-time constants (esbuild `define`
 * of `__COMPACTOR_POSTHOG_KEY__` / `__COMPACTOR_POSTHOG_HOST__`, empty by
 * default); a setting wins over the constant. No key → nothing is sent.
 */
import * as z from 'zod';
import { DEFAULT_POSTHOG_HOST, type PostHogEndpoint } from './posthogSender';

declare const __COMPACTOR_POSTHOG_KEY__: string | undefined;
declare const __COMPACTOR_POSTHOG_HOST__: string | undefined;

export const TELEMETRY_SECTION = 'compactor.telemetry';

export const BUILD_POSTHOG_KEY: string = typeof __COMPACTOR_POSTHOG_KEY__ === 'string' ? __COMPACTOR_POSTHOG_KEY__ : '';
export const BUILD_POSTHOG_HOST: string = typeof __COMPACTOR_POSTHOG_HOST__ === 'string' ? __COMPACTOR_POSTHOG_HOST__ : '';

export interface TelemetrySettings {
  /** `compactor.telemetry.enabled`: can only turn telemetry further off than VS Code's level. */
  enabled: boolean;
  posthogKey: string;
  posthogHost: string;
}

export const DEFAULT_TELEMETRY_SETTINGS: TelemetrySettings = { enabled: true, posthogKey: '', posthogHost: '' };

const fields = {
  enabled: z.boolean(),
  /** A project API key (`phc_…`): no spaces, nothing long. */
  posthogKey: z.string().trim().regex(/^[\w-]{0,200}$/, 'expected a PostHog project API key'),
  posthogHost: z
    .string()
    .trim()
    .refine((s) => s === '' || /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(s), 'expected an http(s) URL'),
} as const;

export type RawTelemetrySettings = Partial<Record<keyof TelemetrySettings, unknown>>;

/** Invalid values fall back to their default (a bad key or host: nothing is sent) and are named in `problems`. */
export function parseTelemetrySettings(raw: RawTelemetrySettings): { settings: TelemetrySettings; problems: string[] } {
  const problems: string[] = [];
  const pick = <K extends keyof TelemetrySettings>(key: K): TelemetrySettings[K] => {
    const value = raw[key];
    if (value === undefined || value === null) return DEFAULT_TELEMETRY_SETTINGS[key];
    const parsed = fields[key].safeParse(value);
    if (parsed.success) return parsed.data as TelemetrySettings[K];
    // The value itself is not echoed: a mistyped key could be a secret.
    problems.push(`${TELEMETRY_SECTION}.${key} is not valid (${parsed.error.issues[0]?.message ?? 'invalid'}); telemetry uses the default.`);
    return DEFAULT_TELEMETRY_SETTINGS[key];
  };
  return { settings: { enabled: pick('enabled'), posthogKey: pick('posthogKey'), posthogHost: pick('posthogHost') }, problems };
}

/** Where events go: the settings, else the build constants; undefined when there is no key. */
export function effectiveEndpoint(
  settings: TelemetrySettings,
  build: { key: string; host: string } = { key: BUILD_POSTHOG_KEY, host: BUILD_POSTHOG_HOST },
): PostHogEndpoint | undefined {
  const key = settings.posthogKey || build.key;
  if (!key) return undefined;
  return { key, host: settings.posthogHost || build.host || DEFAULT_POSTHOG_HOST };
}
