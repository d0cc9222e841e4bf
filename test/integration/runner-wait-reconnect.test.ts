/**
 * A runner process waiting for work when the instance it waits on restarts: its wait is answered at
 * shutdown, its next calls are refused while the instance is away and retried with jittered backoff,
 * and once the instance is back it claims the run queued while it was gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDefinition, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const { db, server, restartServer } = useTestServer();
let sites: FixtureSites;
let runner: TestRunner | undefined;

beforeAll(async () => {
  sites = await startFixtureSites();
});

afterAll(async () => {
  await runner?.stop();
  await sites?.stop();
});

describe('a runner waiting for work on an instance that restarts', () => {
  it('reconnects with backoff and claims the run queued while it was away', async () => {
    const { scraperId } = await seedScraper(db.pool, { config: labDefinition(sites, { slug: 'reconnect-lab', count: 2 }) });
    const key = await seedRunner(db.pool, 'reconnecting');
    runner = await startRunner({ apiUrl: server.httpUrl, apiKey: key.apiKey, name: key.name, pollMs: 200 });
    const waiting = async () => (await db.pool.query(`SELECT waiting_until > now() AS waiting FROM runner WHERE id = $1`, [key.runnerId])).rows[0].waiting;
    await expect.poll(waiting, { timeout: 15_000 }).toBe(true);

    let runId = 0;
    await restartServer({ port: server.port }, async () => {
      const { rows } = await db.pool.query<{ id: number }>(`INSERT INTO run (scraper_id, triggered_by) VALUES ($1, 'API') RETURNING id`, [scraperId]);
      runId = rows[0]!.id;
      // Away long enough for the runner to be refused and back off.
      await runner!.waitForOutput((output) => output.some((line) => line.msg === 'cannot claim runs; retrying'), 30_000);
    });

    await runner.waitForOutput((output) => output.some((line) => line.msg === 'claimed run' && line.jobId === String(runId)), 30_000);
    const status = async () => (await db.pool.query(`SELECT status FROM run WHERE id = $1`, [runId])).rows[0].status;
    await expect.poll(status, { timeout: 30_000 }).toMatch(/SUCCESS|WARNING/);
    // Waiting again on the new instance.
    await expect.poll(waiting, { timeout: 15_000 }).toBe(true);
  }, 90_000);
});
