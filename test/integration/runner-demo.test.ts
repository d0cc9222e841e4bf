import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { startApiProcess, type ApiProcess } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const db = useTestDatabase();
let api: ApiProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-demo-'));
  api = await startApiProcess({ databaseUrl: db.url, env: { DEMO: 'true', DATA_DIR: dataDir } });
});

afterAll(async () => {
  await api?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The demo's alerting as stored: its webhook channel, and the rules of each scraper linked to it. */
const demoAlerting = async () => {
  const channels = (await db.pool.query<{ url: string; secret: string }>(`SELECT url, secret FROM alert_channel WHERE kind = 'WEBHOOK'`)).rows;
  const { rows: rules } = await db.pool.query<{ slug: string; kind: string }>(
    `SELECT s.slug, r.kind FROM alert_rule r JOIN scraper s ON s.id = r.scraper_id
       JOIN alert_rule_channel rc ON rc.rule_id = r.id ORDER BY s.slug, r.kind`,
  );
  return { channels, rules };
};

/** What the demo webhook receiver behind the channel lists: it answers at the address the channel points to. */
const receiverListing = async (url: string) => {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return (await response.json()) as { repeatsDropped: number; deliveries: Array<{ type: string; verified: boolean }> };
};

const finishedRuns = async () =>
  (
    await db.pool.query<{ slug: string; status: string }>(
      `SELECT s.slug, r.status FROM run r JOIN scraper s ON s.id = r.scraper_id
        WHERE r.status NOT IN ('QUEUED', 'RUNNING') ORDER BY s.slug`,
    )
  ).rows;

describe('npm start with DEMO=true', () => {
  it('registers the demo scrapers and its demo runner completes their first runs', async () => {
    await waitUntil(async () => (await finishedRuns()).length >= 4, 'four finished demo runs', 40_000);
    expect(await finishedRuns()).toEqual([
      { slug: 'corner-store', status: 'WARNING' },
      { slug: 'green-leaf', status: 'SUCCESS' },
      { slug: 'slow-farm', status: 'WARNING' },
      { slug: 'sunset-api', status: 'SUCCESS' },
    ]);
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM product`);
    expect(rows[0]!.n).toBe(15 + 10 + 8 + 4);
  });

  it('alerts on the failing demo scraper to the webhook receiver it runs', async () => {
    const { channels, rules } = await demoAlerting();
    expect(channels).toHaveLength(1);
    expect(channels[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(rules).toEqual([
      { slug: 'slow-farm', kind: 'RUN_ERROR' },
      { slug: 'slow-farm', kind: 'RUN_WARNING' },
    ]);
    // Slow Farm's first run ended WARNING: an incident opened, and its notification reached the receiver, signed.
    let listing = await receiverListing(channels[0]!.url);
    await waitUntil(async () => (listing = await receiverListing(channels[0]!.url)).deliveries.length > 0, 'a delivery to the demo receiver', 30_000);
    expect(listing.deliveries).toEqual([expect.objectContaining({ type: 'incident.opened', verified: true })]);
    const { rows: incidents } = await db.pool.query<{ slug: string; status: string; reason: string; delivered: number }>(
      `SELECT s.slug, i.status, i.reason, (SELECT count(*)::int FROM notification n WHERE n.incident_id = i.id AND n.status = 'DELIVERED') AS delivered
         FROM incident i JOIN scraper s ON s.id = i.scraper_id`,
    );
    expect(incidents).toEqual([{ slug: 'slow-farm', status: 'OPEN', reason: 'RUNNER_REPORTED', delivered: 1 }]);
  });

  it('stops its demo runner on shutdown, and when the API dies the runner ends with it', async () => {
    const alertingBefore = await demoAlerting();
    const lock = path.join(dataDir, 'runner-spool', 'demo-runner', 'runner.lock');
    expect(existsSync(lock)).toBe(true);
    await api.stop();
    expect(existsSync(lock)).toBe(false);

    // A restart rotates the demo runner's key and starts a new one, without queuing first runs again.
    await api.restart();
    await waitUntil(() => existsSync(lock), 'the demo runner started again', 40_000);
    // The restarted demo's receiver listens on a port of its own: the one channel, with its secret, points at it now
    // (the old receiver died with its process, so an answer there is the new one's).
    const alertingAfter = await demoAlerting();
    expect(alertingAfter.rules).toEqual(alertingBefore.rules);
    expect(alertingAfter.channels).toEqual([{ url: expect.any(String), secret: alertingBefore.channels[0]!.secret }]);
    expect(await receiverListing(alertingAfter.channels[0]!.url)).toMatchObject({ repeatsDropped: expect.any(Number), deliveries: expect.any(Array) });
    await api.kill();
    await waitUntil(() => !existsSync(lock), 'the orphaned demo runner stopped');
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM run`);
    expect(rows[0]!.n).toBe(4);
  });
});
