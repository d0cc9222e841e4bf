/**
 * PostgreSQL restarts under a live run: this file brings its own cluster (not the suite's shared
 * one) so that it can stop and start it on the same port while a runner appends and admins watch.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/db/embeddedPostgres.ts';
import { migrate } from '../../server/db/migrate.ts';
import { createLogger } from '../../server/logger.ts';
import { parseDefinition } from '../../contract/definitionSchema.ts';
import { tolerateConnectionLoss } from '../helpers/connectionLoss.ts';
import { labDefinition, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { collect } from '../helpers/graphql.ts';
import { JOB_LOGS, batchLines, deliveredLines, shipBatch, type ShippedBatch } from '../helpers/logShipper.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { freePort } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const BATCHES = 30;
const LINES_PER_BATCH = 20;

let dir: string;
let port: number;
let cluster: EmbeddedDatabase | undefined;
let server: TestServer | undefined;
let jobId: string;
let apiKey: string;
let sites: FixtureSites | undefined;
let runner: TestRunner | undefined;
const logger = createLogger('silent');

const startCluster = async () => (cluster = await startEmbeddedPostgres(dir, logger, { port }));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-fault-pg-'));
  // PostgreSQL runs as its own user and must reach its data inside the (otherwise private) folder.
  await chmod(dir, 0o755);
  port = await freePort();
  const { url } = await startCluster();
  const pool = tolerateConnectionLoss(new pg.Pool({ connectionString: url, max: 2 }));
  await migrate(pool);
  const { scraperId } = await seedScraper(pool);
  const runner = await seedRunner(pool);
  apiKey = runner.apiKey;
  jobId = String(await insertRun(pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
  await pool.end();
  server = await startTestServer(url);
});

afterAll(async () => {
  await runner?.kill();
  await sites?.stop();
  await server?.stop();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

const expectedMessages = () =>
  Array.from({ length: BATCHES }, (_, b) => batchLines(b + 1, LINES_PER_BATCH).map((l) => l.message)).flat();

describe('PostgreSQL restarts while runners append and admins watch', () => {
  it('reconnects the listener, resumes every subscriber from its last seq and delivers each line once, in order', async () => {
    const live = server!;
    const runnerClient = () => live.client({ apiKey });
    const watchers = [collect(live.admin.ws(), JOB_LOGS, { jobId }), collect(live.admin.ws(), JOB_LOGS, { jobId })];

    let retries = 0;
    const shipped: ShippedBatch[] = [];
    const ship = async (from: number, to: number) => {
      for (let b = from; b <= to; b++) {
        shipped.push(await shipBatch(runnerClient, jobId, `b${b}`, batchLines(b, LINES_PER_BATCH), { onRetry: () => retries++ }));
      }
    };

    await ship(1, 10);
    for (const w of watchers) await w.waitFor(() => deliveredLines(w.events).length >= 10 * LINES_PER_BATCH);

    // The runner keeps shipping through the outage; its batches fail and are retried with the same batchId.
    // Stopped mid-run, and only then shipping on: a runner quicker than the stop would otherwise have
    // shipped every batch before PostgreSQL went away.
    await ship(11, 15);
    await cluster!.stop();
    const shipping = ship(16, BATCHES);
    await waitUntil(() => retries > 0, 'an append to fail while PostgreSQL is down');
    await startCluster();
    await shipping;

    for (const w of watchers) await w.waitFor(() => deliveredLines(w.events).length >= BATCHES * LINES_PER_BATCH, 30_000);
    const total = BATCHES * LINES_PER_BATCH;
    for (const w of watchers) {
      const lines = deliveredLines(w.events);
      expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(lines.map((l) => l.message)).toEqual(expectedMessages());
      expect(w.errors).toEqual([]);
      w.dispose();
    }
    // Stored once each, whatever the retries: the ranges tile 1..600 with no overlap.
    expect(shipped.map((s) => [s.fromSeq, s.toSeq])).toEqual(
      shipped.map((_, i) => [i * LINES_PER_BATCH + 1, (i + 1) * LINES_PER_BATCH]),
    );

    const check = tolerateConnectionLoss(new pg.Client({ connectionString: cluster!.url }));
    await check.connect();
    try {
      const { rows } = await check.query(`SELECT count(*)::int AS lines, max(seq)::int AS last FROM log_line WHERE run_id = $1`, [jobId]);
      expect(rows[0]).toEqual({ lines: total, last: total });
      await waitUntil(async () => {
        const { rows: listening } = await check.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'scrapedeck-listener'`,
        );
        return listening[0].n === 1;
      }, 'one listening connection after the restart');
    } finally {
      await check.end();
    }
  });

  it('a real runner scraping through the restart ends its run with every line stored and watched once, in order', async () => {
    const live = server!;
    sites = await startFixtureSites();
    const pool = tolerateConnectionLoss(new pg.Pool({ connectionString: cluster!.url, max: 2 }));
    try {
      const slug = 'through-restart';
      const { scraperId } = await seedScraper(pool, { slug, config: parseDefinition(labDefinition(sites, { slug, count: 30, delayMs: 150 })) });
      runner = await startRunner({ apiUrl: live.httpUrl, apiKey, heartbeatMs: 1_000 });
      const triggered = await live.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, {
        id: String(scraperId),
      });
      const runId: string = triggered.triggerRun.data.id;
      const watcher = collect(live.admin.ws(), JOB_LOGS, { jobId: runId });
      await watcher.waitFor(() => deliveredLines(watcher.events).filter((l) => l.message.startsWith('SKU ')).length >= 3, 20_000);

      await pool.end();
      await cluster!.stop();
      await startCluster();
      const after = tolerateConnectionLoss(new pg.Pool({ connectionString: cluster!.url, max: 2 }));
      try {
        await waitUntil(async () => (await after.query(`SELECT status FROM run WHERE id = $1`, [runId])).rows[0].status === 'SUCCESS', 'the run to succeed', 40_000);
        const { rows } = await after.query(`SELECT last_seq AS "lastSeq" FROM run WHERE id = $1`, [runId]);
        await watcher.waitFor(() => deliveredLines(watcher.events).length >= rows[0].lastSeq, 20_000);
      } finally {
        await after.end();
      }
      const lines = deliveredLines(watcher.events);
      expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: lines.length }, (_, i) => i + 1));
      expect(lines.map((l) => l.message)).toEqual(runner.jobLines(runId).map((l) => l.message));
      expect(lines.at(-1)!.message).toMatch(new RegExp(`^Job ${runId} complete: 30 SKUs processed`));
      watcher.dispose();
      expect(await runner.stop()).toBe(0);
    } finally {
      await pool.end().catch(() => undefined);
    }
  });

  it('with PUBSUB_URL (Redis fan-out), subscribers still get every line once, in order, across the restart', async (context) => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const probe = new Redis(redisUrl, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const reachable = await probe.connect().then(() => true, () => false);
    probe.disconnect();
    if (!reachable) return context.skip(`no Redis answers at ${redisUrl}`);

    const viaRedis = await startTestServer(cluster!.url, { pubsubUrl: redisUrl });
    const pool = tolerateConnectionLoss(new pg.Pool({ connectionString: cluster!.url, max: 1 }));
    try {
      const { scraperId } = await seedScraper(pool);
      const runner = await seedRunner(pool);
      const runId = String(await insertRun(pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
      await pool.end();
      const watcher = collect(viaRedis.admin.ws(), JOB_LOGS, { jobId: runId });
      let stored = 0;
      let failures = 0;
      let restarted = false;
      // Ships until five batches after the restart, however fast appends are: the outage always lands mid-run.
      const shipping = (async () => {
        let last = Number.POSITIVE_INFINITY;
        for (let b = 1; b <= last; b++) {
          await shipBatch(() => viaRedis.client({ apiKey: runner.apiKey }), runId, `r${b}`, batchLines(b, 10), { onRetry: () => failures++ });
          stored = b;
          if (restarted && last === Number.POSITIVE_INFINITY) last = b + 5;
        }
      })();
      await waitUntil(() => stored >= 8, 'the runner to be mid-run');
      await cluster!.stop();
      await waitUntil(() => failures > 0, 'an append to fail while PostgreSQL is down');
      await startCluster();
      restarted = true;
      await shipping;
      const total = stored * 10;
      await watcher.waitFor(() => deliveredLines(watcher.events).length >= total, 30_000);
      expect(deliveredLines(watcher.events).map((l) => l.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      watcher.dispose();
    } finally {
      await pool.end().catch(() => undefined);
      await viaRedis.stop();
    }
  });
});
