/**
 * runUpdated subscribers of a scraper or of every run, when the server's LISTEN connection is
 * killed: the runs that changed while it was away are read from the table and delivered.
 */
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { finishRun } from '../../server/runs/sql/finishRun.ts';
import { enqueueRun } from '../../server/runs/sql/enqueueRun.ts';
import { collect } from '../helpers/graphql.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const RUN_UPDATED = `subscription($scraperId: ID) { runUpdated(scraperId: $scraperId) { id status scraper { id } } }`;

const { db, server } = useTestServer();
let watched: number;
let other: number;
let runner: Awaited<ReturnType<typeof seedRunner>>;

beforeAll(async () => {
  ({ scraperId: watched } = await seedScraper(db.pool, { slug: 'watched' }));
  ({ scraperId: other } = await seedScraper(db.pool, { slug: 'other' }));
  runner = await seedRunner(db.pool);
});

const databaseName = () => new URL(db.url).pathname.slice(1);

async function listenerBackends(): Promise<number> {
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'scrapedeck-listener'`,
    [databaseName()],
  );
  return rows[0].n;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function runUpdatedSubscribers(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  return Number(text.match(/scrapedeck_subscribers\{[^}]*subscription="runUpdated"[^}]*\} (\d+)/)?.[1] ?? 0);
}

type Update = { runUpdated: { id: string; status: string; scraper: { id: string } } };
const seen = (sub: { events: Update[] }, runId: number | string, status: string) =>
  sub.events.some((e) => e.runUpdated.id === String(runId) && e.runUpdated.status === status);

describe('runUpdated across a LISTEN reconnect', () => {
  it('delivers to subscribers of a scraper and of every run the runs that changed while the connection was away', async () => {
    const running = await claimRunFor(server, watched, runner.apiKey);
    const ws = server.admin.ws();
    const byScraper = collect<Update>(ws, RUN_UPDATED, { scraperId: String(watched) });
    const everyRun = collect<Update>(ws, RUN_UPDATED, {});
    await until(async () => (await runUpdatedSubscribers()) === 2);
    const warmUp = await enqueueRun(db.pool, { scraperId: watched, triggeredBy: 'API' });
    await byScraper.waitFor(() => seen(byScraper, warmUp, 'QUEUED'));
    await everyRun.waitFor(() => seen(everyRun, warmUp, 'QUEUED'));
    expect(await listenerBackends()).toBe(1);

    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    let queuedAway: number;
    let otherAway: number;
    try {
      // No connection can be made until the writes below are committed, so their notifications are lost.
      await admin.query(`ALTER DATABASE ${databaseName()} WITH ALLOW_CONNECTIONS false`);
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'scrapedeck-listener'`,
        [databaseName()],
      );
      await until(async () => (await listenerBackends()) === 0);
      const asPool = writer as unknown as pg.Pool;
      expect(await finishRun(asPool, { runId: Number(running), status: 'SUCCESS', fromStatuses: ['RUNNING'], runnerId: null })).toBe(true);
      queuedAway = await enqueueRun(asPool, { scraperId: watched, triggeredBy: 'API' });
      otherAway = await enqueueRun(asPool, { scraperId: other, triggeredBy: 'API' });
    } finally {
      await admin.query(`ALTER DATABASE ${databaseName()} WITH ALLOW_CONNECTIONS true`);
      await admin.end();
      await writer.end();
    }

    await until(async () => (await listenerBackends()) === 1);
    await byScraper.waitFor(() => seen(byScraper, running, 'SUCCESS') && seen(byScraper, queuedAway, 'QUEUED'));
    await everyRun.waitFor(() => seen(everyRun, running, 'SUCCESS') && seen(everyRun, queuedAway, 'QUEUED') && seen(everyRun, otherAway, 'QUEUED'));
    // A scraper's subscriber gets that scraper's runs only.
    expect(byScraper.events.every((e) => e.runUpdated.scraper.id === String(watched))).toBe(true);

    // Live delivery is back too.
    const after = await enqueueRun(db.pool, { scraperId: watched, triggeredBy: 'API' });
    await byScraper.waitFor(() => seen(byScraper, after, 'QUEUED'));
    expect([...byScraper.errors, ...everyRun.errors]).toEqual([]);
    byScraper.dispose();
    everyRun.dispose();
    await ws.dispose();
  });
});
