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

  it('stops its demo runner on shutdown, and when the API dies the runner ends with it', async () => {
    const lock = path.join(dataDir, 'runner-spool', 'demo-runner', 'runner.lock');
    expect(existsSync(lock)).toBe(true);
    await api.stop();
    expect(existsSync(lock)).toBe(false);

    // A restart rotates the demo runner's key and starts a new one, without queuing first runs again.
    await api.restart();
    await waitUntil(() => existsSync(lock), 'the demo runner started again', 40_000);
    await api.kill();
    await waitUntil(() => !existsSync(lock), 'the orphaned demo runner stopped');
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM run`);
    expect(rows[0]!.n).toBe(4);
  });
});
