/** Puts runs into a test database: claimed through the API like a runner does, or inserted with known numbers. */
import type pg from 'pg';
import { seedRunner, seedScraper } from './seed.ts';
import type { TestServer } from './server.ts';

/** Triggers a run of the scraper as the admin and claims it with the runner's key; returns the run id. */
export async function claimRunFor(server: TestServer, scraperId: number, apiKey: string): Promise<string> {
  const triggered = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, {
    id: String(scraperId),
  });
  const claimed = await server
    .client({ apiKey })
    .data(`mutation { claimRun { ... on MutationClaimRunSuccess { data { id } } } }`);
  const runId = claimed.claimRun.data?.id;
  if (runId !== triggered.triggerRun.data.id) throw new Error(`claimed run ${runId}, expected ${triggered.triggerRun.data.id}`);
  return runId;
}

/** A scraper, a runner, and a run of the one that the other has claimed: where a test of a running run starts. */
export async function seedClaimedRun(server: TestServer, pool: pg.Pool) {
  const { scraperId } = await seedScraper(pool);
  const runner = await seedRunner(pool);
  return { scraperId, runner, jobId: await claimRunFor(server, scraperId, runner.apiKey) };
}

/** Inserts a run with explicit state; ages are in minutes before now (database clock). */
export async function insertRun(
  pool: pg.Pool,
  run: {
    scraperId: number;
    status: 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'WARNING' | 'ERROR' | 'CANCELLED';
    queuedMinutesAgo?: number;
    completedMinutesAgo?: number | null;
    durationSeconds?: number | null;
    runnerId?: number | null;
  },
): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO run (scraper_id, status, triggered_by, queued_at, started_at, completed_at, duration_seconds, runner_id)
     VALUES ($1, $2::"RunStatus", 'API',
             now() - $3::float8 * interval '1 minute',
             CASE WHEN $2::text = 'QUEUED' THEN NULL ELSE now() - $3::float8 * interval '1 minute' END,
             now() - $4::float8 * interval '1 minute',
             $5, $6)
     RETURNING id`,
    [run.scraperId, run.status, run.queuedMinutesAgo ?? 1, run.completedMinutesAgo ?? null, run.durationSeconds ?? null, run.runnerId ?? null],
  );
  return rows[0]!.id;
}

/** Inserts a RUNNING run that the runner holds, its lease ending leaseMinutes from now; returns the run id. */
export async function insertRunningRun(pool: pg.Pool, scraperId: number, runnerId: number, leaseMinutes = 5): Promise<string> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO run (scraper_id, triggered_by, status, runner_id, started_at, lease_expires_at)
     VALUES ($1, 'MANUAL', 'RUNNING', $2, now(), now() + $3::float8 * interval '1 minute') RETURNING id`,
    [scraperId, runnerId, leaseMinutes],
  );
  return String(rows[0]!.id);
}
