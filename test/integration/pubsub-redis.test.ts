/**
 * PUBSUB_URL=redis://… moves live fan-out between instances (log announcements and run changes)
 * from NOTIFY to Redis pub/sub, while the lines, the runs, their order and every replay still come
 * from PostgreSQL. Needs the Redis at
 * REDIS_URL (default redis://127.0.0.1:6379); skipped, saying so, when none answers.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tolerateConnectionLoss } from '../helpers/connectionLoss.ts';
import { createTestDatabase, useTestDatabase } from '../helpers/database.ts';
import { collect } from '../helpers/graphql.ts';
import { JOB_LOGS, batchLines, deliveredLines, shipBatch } from '../helpers/logShipper.ts';
import { insertLogBatch } from '../../server/logs/sql/insertLogBatch.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';
import { claimRunFor, insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { freePort } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN_UPDATED = `subscription($scraperId: ID) { runUpdated(scraperId: $scraperId) { id status } }`;
const TRIGGER = `mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`;
const COMPLETE = `mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 1, productsProcessed: 1 }) { __typename } }`;
const JOB_LOGS_TO_THE_END = `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lastSeq lines { seq message } ended { status } } }`;
type Update = { runUpdated: { id: string; status: string } };
const seen = (sub: { events: Update[] }, runId: string, status: string) => sub.events.some((e) => e.runUpdated.id === runId && e.runUpdated.status === status);

/** Closes this database's instances' Redis subscription connections, as a network failure would. */
async function cutSubscriptions(prefix: string): Promise<void> {
  const admin = new Redis(REDIS_URL);
  try {
    const clients = String(await admin.client('LIST'))
      .split('\n')
      .filter((line) => line.includes(`name=${prefix.replaceAll(':', '-')}pubsub`) && / sub=[1-9]/.test(line));
    expect(clients.length).toBe(2);
    for (const line of clients) await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(line)![1]!);
  } finally {
    admin.disconnect();
  }
}

async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 2000, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const redisUp = await redisAnswers();
if (!redisUp) console.warn(`pubsub-redis tests skipped: no Redis answers at ${REDIS_URL} (set REDIS_URL to run them)`);

describe.skipIf(!redisUp)('live fan-out over Redis pub/sub (PUBSUB_URL)', () => {
  const db = useTestDatabase();
  let a: TestServer;
  let b: TestServer;
  let redis: Redis;
  let notifications: pg.Client;
  const notified: string[] = [];
  const heardOnRedis: string[] = [];
  const runsNotified: string[] = [];
  const runsHeardOnRedis: string[] = [];
  let channel: string;
  let prefix: string;

  beforeAll(async () => {
    prefix = `scrapedeck:${new URL(db.url).pathname.slice(1)}:`;
    channel = `${prefix}job_logs`;
    a = await startTestServer(db.url, { pubsubUrl: REDIS_URL });
    b = await startTestServer(db.url, { pubsubUrl: REDIS_URL });
    // Two witnesses of which transport carries the announcements.
    notifications = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
    await notifications.connect();
    notifications.on('notification', (n) => (n.channel === 'job_logs' ? notified : runsNotified).push(n.payload ?? ''));
    await notifications.query('LISTEN job_logs');
    await notifications.query('LISTEN run_updated');
    redis = new Redis(REDIS_URL);
    redis.on('message', (from, message) => (from === channel ? heardOnRedis : runsHeardOnRedis).push(message));
    await redis.subscribe(channel, `${prefix}run_updated`);
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await notifications?.end();
    redis?.disconnect();
  });

  it('delivers lines appended on one instance to subscribers of both, once each and in order, with no NOTIFY', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const jobId = String(await insertRun(db.pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
    const onA = collect(a.admin.ws(), JOB_LOGS, { jobId });
    const onB = collect(b.admin.ws(), JOB_LOGS, { jobId });
    const runnerOnA = () => a.client({ apiKey: runner.apiKey });

    await shipBatch(runnerOnA, jobId, 'b1', batchLines(1, 10));
    for (const w of [onA, onB]) await w.waitFor(() => deliveredLines(w.events).length >= 10);
    // Concurrent appends through both instances: seq order is still commit order.
    await Promise.all([
      ...[2, 3, 4, 5].map((n) => shipBatch(runnerOnA, jobId, `b${n}`, batchLines(n, 25))),
      ...[6, 7, 8, 9].map((n) => shipBatch(() => b.client({ apiKey: runner.apiKey }), jobId, `b${n}`, batchLines(n, 25))),
    ]);
    const total = 10 + 8 * 25;
    for (const w of [onA, onB]) {
      await w.waitFor(() => deliveredLines(w.events).length >= total);
      expect(deliveredLines(w.events).map((l) => l.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      w.dispose();
    }

    // A late subscriber replays from PostgreSQL, from any afterSeq, without a gap.
    const late = collect(b.admin.ws(), JOB_LOGS, { jobId, afterSeq: 137 });
    await late.waitFor(() => deliveredLines(late.events).length >= total - 137);
    expect(deliveredLines(late.events).map((l) => l.seq)).toEqual(Array.from({ length: total - 137 }, (_, i) => i + 138));
    late.dispose();

    await waitUntil(() => heardOnRedis.length >= 9, 'nine announcements on Redis');
    expect(heardOnRedis.every((m) => JSON.parse(m).startsWith(`${jobId}:`))).toBe(true);
    // A round trip through NOTIFY proves nothing else is pending on it.
    await db.pool.query(`SELECT pg_notify('job_logs', 'marker')`);
    await waitUntil(() => notified.includes('marker'), 'the marker notification');
    expect(notified).toEqual(['marker']);
  });

  it('loses nothing when a later batch is announced before an earlier one, as announcements after commit may be', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const jobId = String(await insertRun(db.pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
    const runId = Number(jobId);
    // Batches committed without an announcement: instance a hears of them only from the announcements
    // below, so its hub has read nothing of the run before, and a read starts where its announcement says.
    const storeQuietly = (batchId: string, batch: number, count: number) =>
      insertLogBatch(db.pool, { runId, batchId, lines: batchLines(batch, count).map((l) => ({ ...l, level: 'INFO' as const })), runnerId: null, leaseSeconds: 60, notify: false });
    const announce = async (range: string) => {
      const publisher = new Redis(REDIS_URL);
      try {
        await publisher.publish(channel, JSON.stringify(`${jobId}:${range}`));
      } finally {
        publisher.disconnect();
      }
    };
    const hubReads = async () => (await scrapeMetrics(a.port)).value('scrapedeck_log_batches_fanned_out_total', { source: 'read' }) ?? 0;
    const seqs = () => deliveredLines(watcher.events).map((l) => l.seq);

    await storeQuietly('first', 1, 1);
    const watcher = collect(a.admin.ws(), JOB_LOGS, { jobId });
    // Its replay has read the table once, and reads it again only for a seq it sees missing.
    await watcher.waitFor(() => seqs().length >= 1);
    expect(await storeQuietly('early', 2, 3)).toMatchObject({ fromSeq: 2, toSeq: 4 });
    expect(await storeQuietly('late', 3, 3)).toMatchObject({ fromSeq: 5, toSeq: 7 });
    const readsBefore = await hubReads();

    // The later batch is announced first: the hub reads 5-7 and hands them on. Lines 2-4 were never
    // announced, so the subscriber has them only if it saw that 2 was missing and read the table for it.
    await announce('5:7');
    await watcher.waitFor(() => seqs().length >= 7);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await hubReads()).toBe(readsBefore + 1);

    // The earlier announcement, late, reads nothing again; the next batch follows without a repeat.
    await announce('2:4');
    await shipBatch(() => a.client({ apiKey: runner.apiKey }), jobId, 'next', batchLines(4, 1));
    await watcher.waitFor(() => seqs().length >= 8);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await hubReads()).toBe(readsBefore + 1);
    watcher.dispose();
  });

  it('loses nothing when the Redis subscription connections drop, replaying from the table on reconnect', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const jobId = String(await insertRun(db.pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
    const onB = collect(b.admin.ws(), JOB_LOGS, { jobId });
    const runnerOnA = () => a.client({ apiKey: runner.apiKey });
    await shipBatch(runnerOnA, jobId, 'r1', batchLines(1, 10));
    await onB.waitFor(() => deliveredLines(onB.events).length >= 10);

    // Cut every pub/sub connection of this database's instances; announcements made meanwhile are lost.
    await cutSubscriptions(prefix);
    for (let n = 2; n <= 6; n++) await shipBatch(runnerOnA, jobId, `r${n}`, batchLines(n, 10));

    await onB.waitFor(() => deliveredLines(onB.events).length >= 60, 20_000);
    expect(deliveredLines(onB.events).map((l) => l.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    onB.dispose();
  });

  it('carries run changes too: runUpdated and the end of a jobLogs subscription on another instance, with no NOTIFY', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const ws = b.admin.ws();
    const updates = collect<Update>(ws, RUN_UPDATED, { scraperId: String(scraperId) });
    await waitUntil(async () => (await runUpdatedSubscribers(b)) >= 1, 'the runUpdated subscription to register');
    const jobId = await claimRunFor(a, scraperId, runner.apiKey);
    await updates.waitFor(() => seen(updates, jobId, 'QUEUED') && seen(updates, jobId, 'RUNNING'));
    const logs = collect(ws, JOB_LOGS_TO_THE_END, { jobId });
    await shipBatch(() => a.client({ apiKey: runner.apiKey }), jobId, 'end', batchLines(1, 5));
    await logs.waitFor(() => deliveredLines(logs.events).length >= 5);
    expect((await a.client({ apiKey: runner.apiKey }).data(COMPLETE, { jobId })).completeRun.__typename).toBe("MutationCompleteRunSuccess");
    await updates.waitFor(() => seen(updates, jobId, 'SUCCESS'));
    // The hub on b learnt of the end over Redis: the subscription ends with it.
    await logs.waitFor(() => logs.completed);
    expect(logs.events.at(-1).jobLogs).toEqual({ lastSeq: 5, lines: [], ended: { status: 'SUCCESS' } });
    expect([...updates.errors, ...logs.errors]).toEqual([]);

    await waitUntil(() => runsHeardOnRedis.filter((m) => JSON.parse(m).startsWith(`${jobId}:`)).length >= 3, 'three run changes on Redis');
    await db.pool.query(`SELECT pg_notify('run_updated', 'marker')`);
    await waitUntil(() => runsNotified.includes('marker'), 'the marker notification');
    expect(runsNotified).toEqual(['marker']);
    updates.dispose();
    logs.dispose();
    await ws.dispose();
  });

  it('delivers to runUpdated subscribers the runs that changed while the Redis subscription was away', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const ws = b.admin.ws();
    const updates = collect<Update>(ws, RUN_UPDATED, { scraperId: String(scraperId) });
    await waitUntil(async () => (await runUpdatedSubscribers(b)) >= 1, 'the runUpdated subscription to register');
    const before = (await a.admin.data(TRIGGER, { id: String(scraperId) })).triggerRun.data.id;
    await updates.waitFor(() => seen(updates, before, 'QUEUED'));

    await cutSubscriptions(prefix);
    // Published while b cannot hear it, most likely: either way b's subscriber must see it.
    await a.admin.data(`mutation($id: ID!) { cancelRun(jobId: $id) { __typename } }`, { id: before });
    const away = (await a.admin.data(TRIGGER, { id: String(scraperId) })).triggerRun.data.id;

    await updates.waitFor(() => seen(updates, before, 'CANCELLED') && seen(updates, away, 'QUEUED'), 20_000);
    expect(updates.errors).toEqual([]);
    updates.dispose();
    await ws.dispose();
  });
});

async function runUpdatedSubscribers(server: TestServer): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  return Number(text.match(/scrapedeck_subscribers\{[^}]*subscription="runUpdated"[^}]*\} (\d+)/)?.[1] ?? 0);
}

describe('PUBSUB_URL pointing at nothing', () => {
  it('stops the start with a message naming the Redis it could not reach', async () => {
    const db = await createTestDatabase();
    try {
      // A port that was free a moment ago: nothing answers there.
      const port = await freePort();
      await expect(startTestServer(db.url, { pubsubUrl: `redis://127.0.0.1:${port}` })).rejects.toThrow(
        `could not connect to Redis at PUBSUB_URL (127.0.0.1:${port})`,
      );
    } finally {
      await db.drop();
    }
  });
});
