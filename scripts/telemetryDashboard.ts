/**
 * `npm run telemetry:dashboard -- --host https://us.posthog.com --project 12345 --key phx_…`
 *
 * Creates the "Compaction" dashboard in a PostHog project through PostHog's
 * REST API (a dashboard, then insights attached to it): compactions per day,
 * completed compactions by source, failures by reason, and a SQL (HogQL)
 * table of effectiveness by model and source. The events are those of
 * telemetry.json. Flags or env: POSTHOG_HOST, POSTHOG_PROJECT_ID,
 * POSTHOG_PERSONAL_API_KEY (a personal API key with dashboard and insight
 * write scopes). `--dry-run` prints the requests without sending them.
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../src/compaction/errors';

export interface DashboardOptions {
  /** The PostHog app host (https://us.posthog.com, https://eu.posthog.com or your own). */
  host: string;
  projectId: string;
  apiKey: string;
}

type Fetch = typeof fetch;

export const DASHBOARD_NAME = 'Compaction';
const DATE_RANGE = { date_from: '-30d' };

/** Effectiveness of compaction by model and source: tokens in vs out and their ratio (last 30 days). */
export const EFFECTIVENESS_HOGQL = `
SELECT
  properties.model AS model,
  properties.source AS source,
  count() AS compactions,
  round(avg(toFloat(properties.input_tokens_b2))) AS avg_input_tokens,
  round(avg(toFloat(properties.output_tokens_b2))) AS avg_output_tokens,
  round(sum(toFloat(properties.output_tokens_b2)) / nullIf(sum(toFloat(properties.input_tokens_b2)), 0), 3) AS output_input_ratio,
  round(quantile(0.5)(toFloat(properties.duration_b2))) AS median_duration_ms,
  round(countIf(properties.fallback_used = 'true') / count(), 3) AS fallback_share
FROM events
WHERE event = 'compaction_completed' AND timestamp > now() - INTERVAL 30 DAY
GROUP BY model, source
ORDER BY compactions DESC
LIMIT 100`.trim();

const trends = (series: string[], breakdown?: string) => ({
  kind: 'InsightVizNode',
  source: {
    kind: 'TrendsQuery',
    series: series.map((event) => ({ kind: 'EventsNode', event, name: event, math: 'total' })),
    interval: 'day',
    dateRange: DATE_RANGE,
    ...(breakdown ? { breakdownFilter: { breakdown, breakdown_type: 'event' } } : {}),
  },
});

/** The insights of the dashboard, in order. */
export function dashboardInsights(): { name: string; description: string; query: unknown }[] {
  return [
    {
      name: 'Compactions per day',
      description: 'Completed and failed compactions per day (compaction_completed, compaction_failed).',
      query: trends(['compaction_completed', 'compaction_failed']),
    },
    {
      name: 'Compactions by source',
      description: 'Completed compactions per day, by source: manual, auto, idle, partial.',
      query: trends(['compaction_completed'], 'source'),
    },
    {
      name: 'Failures by reason',
      description: 'Compactions that left the session unchanged, by reason; circuit breakers opened and compactions reverted for context.',
      query: trends(['compaction_failed'], 'reason'),
    },
    {
      name: 'Effectiveness by model and source',
      description: 'Tokens before (input) and after (output) compaction, both rounded to powers of two, and their ratio: lower is better.',
      query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: EFFECTIVENESS_HOGQL } },
    },
  ];
}

export class DashboardError extends Error {}

/** Ingestion hosts (`us.i.posthog.com`) do not serve the REST API; their app hosts do. */
export function apiHost(host: string): string {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new DashboardError(`--host "${host}" is not a URL; use e.g. https://us.posthog.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DashboardError(`--host must be http(s), got ${url.protocol}`);
  url.hostname = url.hostname.replace(/^(us|eu)\.i\.posthog\.com$/, '$1.posthog.com');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

async function post(fetchImpl: Fetch, options: DashboardOptions, path: string, body: unknown): Promise<{ id: number | string }> {
  const url = `${apiHost(options.host)}/api/projects/${encodeURIComponent(options.projectId)}/${path}`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new DashboardError(`could not reach ${url} (${errorMessage(err)}${cause})`);
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = text.slice(0, 500);
    try {
      const json = JSON.parse(text) as { detail?: string; attr?: string };
      if (json.detail) detail = `${json.detail}${json.attr ? ` (${json.attr})` : ''}`;
    } catch {
      // not JSON: the raw text is the detail
    }
    const hint =
      response.status === 401
        ? ' Check the personal API key (Settings → Personal API keys).'
        : response.status === 403
          ? ' The key needs the dashboard:write and insight:write scopes for this project.'
          : response.status === 404
            ? ` Check the project id (${options.projectId}) and the host (the app host, e.g. https://us.posthog.com).`
            : '';
    throw new DashboardError(`POST ${url} failed: HTTP ${response.status}: ${detail.replace(/\.$/, '')}.${hint}`);
  }
  const json = JSON.parse(text) as { id?: number | string };
  if (json.id === undefined) throw new DashboardError(`POST ${url} answered without an id`);
  return { id: json.id };
}

/** Creates the dashboard and its insights; returns the dashboard's URL. */
export async function createDashboard(options: DashboardOptions, fetchImpl: Fetch = fetch, log: (line: string) => void = console.log): Promise<string> {
  const dashboard = await post(fetchImpl, options, 'dashboards/', {
    name: DASHBOARD_NAME,
    description: 'Does compaction work? Context Compactor telemetry (see telemetry.json).',
    tags: ['context-compactor'],
  });
  log(`created dashboard ${dashboard.id}`);
  for (const insight of dashboardInsights()) {
    const created = await post(fetchImpl, options, 'insights/', { ...insight, dashboards: [dashboard.id], saved: true });
    log(`  added insight ${created.id}: ${insight.name}`);
  }
  return `${apiHost(options.host)}/project/${encodeURIComponent(options.projectId)}/dashboard/${dashboard.id}`;
}

const USAGE = `Usage: npm run telemetry:dashboard -- --host <https://us.posthog.com> --project <id> --key <personal API key> [--dry-run]
  (or set POSTHOG_HOST, POSTHOG_PROJECT_ID, POSTHOG_PERSONAL_API_KEY)`;

export function optionsFrom(argv: string[], env: NodeJS.ProcessEnv): DashboardOptions & { dryRun: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: { host: { type: 'string' }, project: { type: 'string' }, key: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) throw new DashboardError(USAGE);
  const host = values.host ?? env.POSTHOG_HOST ?? '';
  const projectId = values.project ?? env.POSTHOG_PROJECT_ID ?? '';
  const apiKey = values.key ?? env.POSTHOG_PERSONAL_API_KEY ?? '';
  const missing = [!host && '--host (POSTHOG_HOST)', !projectId && '--project (POSTHOG_PROJECT_ID)', !apiKey && '--key (POSTHOG_PERSONAL_API_KEY)'].filter(Boolean);
  if (missing.length) throw new DashboardError(`missing ${missing.join(', ')}\n${USAGE}`);
  if (!/^\d+$/.test(projectId)) throw new DashboardError(`the project id is a number (PostHog → Settings → Project), got "${projectId}"`);
  apiHost(host);
  return { host, projectId, apiKey, dryRun: values['dry-run'] ?? false };
}

async function main(): Promise<void> {
  try {
    const options = optionsFrom(process.argv.slice(2), process.env);
    if (options.dryRun) {
      console.log(JSON.stringify({ dashboard: DASHBOARD_NAME, host: apiHost(options.host), insights: dashboardInsights() }, null, 2));
      return;
    }
    const url = await createDashboard(options);
    console.log(`Dashboard "${DASHBOARD_NAME}": ${url}`);
  } catch (err) {
    console.error(`telemetry:dashboard: ${errorMessage(err)}`);
    process.exitCode = err instanceof DashboardError ? 2 : 1;
  }
}

if (require.main === module) void main();
