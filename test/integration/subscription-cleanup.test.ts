/**
 * A subscription that a client stops, or whose socket goes away, is released at once, even while
 * it waits for its next event: otherwise every idle subscription ever opened would stay in the
 * hub, and the hub would keep reading lines for it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { seedClaimedRun } from '../helpers/runs.ts';
import { type TestServer, useTestServer } from '../helpers/server.ts';

const JOB_LOGS = `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lastSeq lines { seq } } }`;
const RUN_UPDATED = `subscription($jobId: ID!) { runUpdated(jobId: $jobId) { id status } }`;

const { db, server } = useTestServer();
let jobId: string;

beforeAll(async () => {
  const claimed = await seedClaimedRun(server, db.pool);
  jobId = claimed.jobId;
  await server.client({ apiKey: claimed.runner.apiKey }).data(
    `mutation($jobId: ID!) { appendLogs(jobId: $jobId, batchId: "one", logs: [{ level: INFO, message: "hello" }]) { __typename } }`,
    { jobId },
  );
});

async function subscribers(): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^scrapedeck_subscribers\{[^}]*subscription="(\w+)"[^}]*\} (\d+)/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await subscribers())}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Opens both subscriptions and waits until each is registered (jobLogs has replayed, runUpdated has seen its run). */
async function openBoth(ws: ReturnType<TestServer['admin']['ws']>) {
  const logs = collect(ws, JOB_LOGS, { jobId });
  const status = collect(ws, RUN_UPDATED, { jobId });
  await logs.waitFor(() => logs.events.length > 0);
  const { rows } = await db.pool.query(`SELECT scraper_id FROM run WHERE id = $1`, [Number(jobId)]);
  await until(async () => {
    await db.pool.query(`SELECT pg_notify('run_updated', $1)`, [`${jobId}:${rows[0].scraper_id}`]);
    return status.events.length > 0;
  }, 'runUpdated to register');
  return { logs, status };
}

describe('idle subscriptions', () => {
  it('are released as soon as the client completes them', async () => {
    const ws = server.admin.ws();
    const { logs, status } = await openBoth(ws);
    expect(await subscribers()).toEqual({ jobLogs: 1, runUpdated: 1, runnerUpdated: 0 });
    // Both now wait for an event that will not come.
    logs.dispose();
    status.dispose();
    await until(async () => {
      const counts = await subscribers();
      return counts.jobLogs === 0 && counts.runUpdated === 0;
    }, 'the subscriptions to be released');
    await ws.dispose();
  });

  it('are released when their socket closes', async () => {
    const ws = server.admin.ws();
    await openBoth(ws);
    expect(await subscribers()).toEqual({ jobLogs: 1, runUpdated: 1, runnerUpdated: 0 });
    await ws.dispose();
    await until(async () => {
      const counts = await subscribers();
      return counts.jobLogs === 0 && counts.runUpdated === 0;
    }, 'the subscriptions to be released');
  });
});
