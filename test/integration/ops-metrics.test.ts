import { describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { scrapeMetrics, type MetricSamples } from '../helpers/metrics.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const APPEND = `mutation($jobId: ID!, $batchId: String!) { appendLogs(jobId: $jobId, batchId: $batchId, logs: [
  { level: INFO, message: "one" }, { level: WARNING, message: "two" }, { level: ERROR, message: "three" }]) { __typename } }`;
const COMPLETE = `mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 1, productsProcessed: 1 }) { __typename } }`;

const { db, server } = useTestServer();

/** Scrapes this test's server, which must answer. */
async function scrape(): Promise<MetricSamples> {
  const metrics = await scrapeMetrics(server.port);
  expect(metrics.status).toBe(200);
  return metrics;
}

describe('/metrics', () => {
  it('reports requests, errors, appended lines, subscribers, NOTIFY lag, queue depth and run outcomes', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const viewer = server.client({ token: (await seedToken(db.pool, 'VIEWER')).token });
    const runnerClient = server.client({ apiKey: runner.apiKey });

    const jobId = await claimRunFor(server, scraperId, runner.apiKey);
    const ws = viewer.ws();
    const logs = collect(ws, `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lastSeq } }`, { jobId });
    await runnerClient.data(APPEND, { jobId, batchId: 'm1' });
    // A retried batch stores nothing, and is not counted again.
    await runnerClient.data(APPEND, { jobId, batchId: 'm1' });
    await logs.waitFor(() => logs.events.some((e) => e.jobLogs.lastSeq === 3));
    await runnerClient.data(COMPLETE, { jobId });
    // The run has ended: its log subscription completes and is released.
    await logs.waitFor(() => logs.completed);
    const queued = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, { id: String(scraperId) });
    // A subscriber of the queued run stays: its run has not ended.
    const waiting = collect(ws, `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lastSeq } }`, { jobId: queued.triggerRun.data.id });
    await expect.poll(async () => (await scrape()).value('scrapedeck_subscribers', { subscription: 'jobLogs' }), { timeout: 10_000 }).toBe(1);
    expect((await viewer.request(`{ runs { nope } }`)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await viewer.request(`{ runs { `)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');

    // The probe NOTIFYs at start; its round trip shows up as NOTIFY lag.
    await expect.poll(async () => (await scrape()).value('scrapedeck_notify_lag_seconds_count') ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const metrics = await scrape();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toMatch(/# HELP scrapedeck_log_lines_appended_total /);
    expect(metrics.text).toMatch(/# TYPE scrapedeck_notify_lag_seconds histogram/);

    expect(metrics.value('scrapedeck_http_requests_total', { route: 'graphql', status: '200' })).toBeGreaterThanOrEqual(6);
    expect(metrics.value('scrapedeck_graphql_operations_total', { type: 'mutation' })).toBeGreaterThanOrEqual(5);
    expect(metrics.value('scrapedeck_graphql_operations_total', { type: 'subscription' })).toBe(2);
    expect(metrics.value('scrapedeck_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(metrics.value('scrapedeck_graphql_errors_total', { code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    expect(metrics.value('scrapedeck_log_lines_appended_total')).toBe(3);
    expect(metrics.value('scrapedeck_subscribers', { subscription: 'jobLogs' })).toBe(1);
    expect(metrics.value('scrapedeck_subscribers', { subscription: 'runUpdated' })).toBe(0);
    expect(metrics.value('scrapedeck_websocket_connections')).toBe(1);
    expect(metrics.value('scrapedeck_listener_connected')).toBe(1);
    expect(metrics.value('scrapedeck_queue_depth')).toBe(1);
    expect(metrics.value('scrapedeck_runs', { status: 'QUEUED' })).toBe(1);
    expect(metrics.value('scrapedeck_runs', { status: 'SUCCESS' })).toBe(1);
    expect(metrics.value('scrapedeck_runs', { status: 'ERROR' })).toBe(0);
    expect(metrics.value('scrapedeck_notify_queue_usage_ratio')).toBeGreaterThanOrEqual(0);
    expect(metrics.value('scrapedeck_process_resident_memory_bytes')).toBeGreaterThan(0);

    logs.dispose();
    waiting.dispose();
    await ws.dispose();
    await expect.poll(async () => (await scrape()).value('scrapedeck_websocket_connections')).toBe(0);
    await expect.poll(async () => (await scrape()).value('scrapedeck_subscribers', { subscription: 'jobLogs' })).toBe(0);
  });

  it('counts refused websocket connections by close code', async () => {
    const before = (await scrape()).value('scrapedeck_websocket_refusals_total', { code: '4403' }) ?? 0;
    const ws = server.client({ token: 'sdt_nope' }).ws();
    const sub = collect(ws, `subscription { runUpdated { id } }`);
    await sub.waitFor(() => sub.errors.length > 0);
    await ws.dispose();
    expect((await scrape()).value('scrapedeck_websocket_refusals_total', { code: '4403' })).toBe(before + 1);
  });
});
