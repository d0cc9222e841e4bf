import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDefinition, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const TRIGGER = /* GraphQL */ `
  mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`;
const RUNS = 12;

const { db, server } = useTestServer();
let sites: FixtureSites;
const runners: TestRunner[] = [];

beforeAll(async () => {
  sites = await startFixtureSites();
});

afterAll(async () => {
  for (const runner of runners) await runner.stop();
  await sites?.stop();
});

describe('several runners on one queue', () => {
  it('never take the same run: each run is executed once, by the runner that claimed it', async () => {
    // One run per scraper: a scraper runs one run at a time, and the point here is runners racing.
    const jobIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { scraperId } = await seedScraper(db.pool, { config: labDefinition(sites, { slug: `claims-lab-${i}`, count: 4, delayMs: 40, concurrency: 2 }) });
      jobIds.push((await server.admin.data(TRIGGER, { id: String(scraperId) })).triggerRun.data.id);
    }

    const keys = [await seedRunner(db.pool, 'claims-a'), await seedRunner(db.pool, 'claims-b')];
    // Both start polling at once, two workers each, on a full queue: four claimers racing.
    runners.push(
      ...(await Promise.all(keys.map((k) => startRunner({ apiUrl: server.httpUrl, apiKey: k.apiKey, name: k.name, concurrency: 2, pollMs: 50 })))),
    );

    const { rows } = await waitForFinished(jobIds);
    expect(rows.map((r) => r.status)).toEqual(Array(RUNS).fill('SUCCESS'));

    const [a, b] = runners.map((r) => r!.claimedJobs());
    expect([...a!, ...b!].sort()).toEqual([...jobIds].sort());
    expect(a!.filter((id) => b!.includes(id))).toEqual([]);
    // The database agrees with what each runner says it ran, and each run started exactly once.
    for (const row of rows) {
      const owner = row.runner_id === keys[0]!.runnerId ? a! : b!;
      expect(owner).toContain(String(row.id));
      expect(row.starts).toBe(1);
    }
  });
});

async function waitForFinished(jobIds: string[], timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await db.pool.query<{ id: number; status: string; runner_id: number; starts: number }>(
      `SELECT r.id, r.status, r.runner_id,
              (SELECT count(*)::int FROM log_line l WHERE l.run_id = r.id AND l.message LIKE 'Job % started on runner %') AS starts
         FROM run r WHERE r.id = ANY($1::int[]) ORDER BY r.id`,
      [jobIds.map(Number)],
    );
    if (result.rows.every((r) => r.status !== 'QUEUED' && r.status !== 'RUNNING')) return result;
    if (Date.now() > deadline) throw new Error(`runs still open: ${JSON.stringify(result.rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
