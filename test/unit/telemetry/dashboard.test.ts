/** scripts/telemetryDashboard.ts against a fake PostHog API on 127.0.0.1: the requests it makes and its errors. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { apiHost, createDashboard, DashboardError, optionsFrom } from '../../../scripts/telemetryDashboard';

async function fakeApi(status = 201) {
  const requests: { url: string; auth: string; body: Record<string, unknown> }[] = [];
  let nextId = 100;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', auth: req.headers.authorization ?? '', body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { id: nextId++ } : { type: 'authentication_error', detail: 'Invalid personal API key.' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('creates the Compaction dashboard, then its insights attached to it', async (t) => {
  const api = await fakeApi();
  t.after(api.close);
  const url = await createDashboard({ host: api.host, projectId: '42', apiKey: 'phx_test' }, fetch, () => undefined);
  assert.equal(url, `${api.host}/project/42/dashboard/100`);
  assert.deepEqual(api.requests.map((r) => r.url), ['/api/projects/42/dashboards/', ...Array(4).fill('/api/projects/42/insights/')]);
  assert.ok(api.requests.every((r) => r.auth === 'Bearer phx_test'));
  assert.equal(api.requests[0]?.body.name, 'Compaction');
  const insights = api.requests.slice(1).map((r) => r.body as { name: string; dashboards: number[]; query: { kind: string; source: Record<string, unknown> } });
  assert.ok(insights.every((i) => i.dashboards[0] === 100));
  assert.deepEqual(insights.map((i) => i.name), ['Compactions per day', 'Compactions by source', 'Failures by reason', 'Effectiveness by model and source']);
  assert.equal(insights[0]?.query.source.interval, 'day');
  assert.deepEqual(insights[1]?.query.source.breakdownFilter, { breakdown: 'source', breakdown_type: 'event' });
  const hogql = insights[3]?.query.source as { kind: string; query: string };
  assert.equal(hogql.kind, 'HogQLQuery');
  assert.match(hogql.query, /input_tokens_b2[\s\S]*output_tokens_b2[\s\S]*GROUP BY model, source/);
});

test('clear errors: HTTP status with PostHog\'s detail and a hint, unreachable host, missing or bad options', async (t) => {
  const api = await fakeApi(401);
  t.after(api.close);
  await assert.rejects(createDashboard({ host: api.host, projectId: '42', apiKey: 'bad' }, fetch, () => undefined), (err: Error) => {
    assert.ok(err instanceof DashboardError);
    assert.match(err.message, /HTTP 401: Invalid personal API key\. Check the personal API key/);
    return true;
  });
  await assert.rejects(createDashboard({ host: 'http://127.0.0.1:1', projectId: '42', apiKey: 'k' }, fetch, () => undefined), /could not reach http:\/\/127\.0\.0\.1:1\/api\/projects\/42\/dashboards\//);
  assert.throws(() => optionsFrom([], {}), /missing --host \(POSTHOG_HOST\), --project \(POSTHOG_PROJECT_ID\), --key \(POSTHOG_PERSONAL_API_KEY\)/);
  assert.throws(() => optionsFrom(['--host', 'https://us.posthog.com', '--project', 'abc', '--key', 'k'], {}), /project id is a number/);
  assert.deepEqual(optionsFrom([], { POSTHOG_HOST: 'https://eu.posthog.com', POSTHOG_PROJECT_ID: '7', POSTHOG_PERSONAL_API_KEY: 'k' }), {
    host: 'https://eu.posthog.com', projectId: '7', apiKey: 'k', dryRun: false,
  });
  assert.equal(apiHost('https://eu.i.posthog.com'), 'https://eu.posthog.com', 'an ingestion host maps to its app host');
  assert.throws(() => apiHost('not a url'), /not a URL/);
});
