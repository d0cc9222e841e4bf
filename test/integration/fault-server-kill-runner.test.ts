/**
 * A real runner process scrapes while the API process under it is SIGKILLed and started again on
 * the same port: the runner keeps its lines and reports, retries them with the same batch ids, and
 * the run ends with every line stored once, in the order the runner logged them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDefinition } from '../../contract/definitionSchema.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { labDefinition, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const SKUS = 30;

const db = useTestDatabase();
let sites: FixtureSites;
let api: ServerProcess | undefined;
let runner: TestRunner | undefined;

beforeAll(async () => {
  sites = await startFixtureSites();
});

afterAll(async () => {
  await runner?.kill();
  api?.kill('SIGKILL');
  await api?.exited;
  await sites?.stop();
});

describe('the API server is SIGKILLed under a running runner', () => {
  it('the run completes after the restart with every line and product stored once', async () => {
    const port = await freePort();
    const start = async () => (api = await startServerProcess({ databaseUrl: db.url, port, env: { SCHEDULER: 'false', LOG_LEVEL: 'warn' } }));
    const slug = 'kill-under-runner';
    const { scraperId } = await seedScraper(db.pool, { slug, config: parseDefinition(labDefinition(sites, { slug, count: SKUS, delayMs: 150 })) });
    const { apiKey } = await seedRunner(db.pool);
    const first = await start();
    runner = await startRunner({ apiUrl: first.httpUrl, apiKey, heartbeatMs: 1_000 });
    const triggered = await first.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, {
      id: String(scraperId),
    });
    const jobId: string = triggered.triggerRun.data.id;

    const storedSkuLines = async () =>
      (await db.pool.query(`SELECT count(*)::int AS n FROM log_line WHERE run_id = $1 AND message LIKE 'SKU %'`, [jobId])).rows[0].n as number;
    await waitUntil(async () => (await storedSkuLines()) >= 3, 'the runner to store its first SKU lines');

    first.kill('SIGKILL');
    await first.exited;
    const live = runner;
    await live.waitForOutput((out) => out.some((l) => l.msg === 'API unreachable; retrying with the same batch'));
    await start();

    await waitUntil(async () => {
      const { rows } = await db.pool.query(`SELECT status FROM run WHERE id = $1`, [jobId]);
      return rows[0].status === 'SUCCESS';
    }, 'the run to succeed', 40_000);

    const { rows: stored } = await db.pool.query<{ seq: number; level: string; message: string }>(
      `SELECT seq, level, message FROM log_line WHERE run_id = $1 ORDER BY seq`,
      [jobId],
    );
    expect(stored.map((l) => l.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    expect(stored.map(({ level, message }) => ({ level, message }))).toEqual(live.jobLines(jobId));
    expect(stored.at(-1)!.message).toMatch(new RegExp(`^Job ${jobId} complete: ${SKUS} SKUs processed`));

    const { rows: products } = await db.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT p.sku)::int AS skus FROM product p JOIN scraper s ON s.source_id = p.source_id WHERE s.id = $1`,
      [scraperId],
    );
    expect(products[0]).toEqual({ n: SKUS, skus: SKUS });
    expect(await live.stop()).toBe(0);
  });
});
