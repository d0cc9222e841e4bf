/** The rows the live phases need: runners, each with a RUNNING run it has claimed, inserted straight into the database. */
import type pg from 'pg';
import { seedRunner, seedScraper } from '../test/helpers/seed.ts';

export type RunnerWithRun = { apiKey: string; runnerId: number; runId: number; jobId: string };

export async function runningRuns(pool: pg.Pool, count: number, label: string): Promise<RunnerWithRun[]> {
  const { scraperId } = await seedScraper(pool, { slug: `bench-${label}` });
  const result: RunnerWithRun[] = [];
  for (let i = 0; i < count; i++) {
    const { runnerId, apiKey } = await seedRunner(pool, `bench-${label}-${i}`);
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO run (scraper_id, status, triggered_by, started_at, runner_id, lease_expires_at)
       VALUES ($1, 'RUNNING', 'API', now(), $2, now() + interval '1 day') RETURNING id`,
      [scraperId, runnerId],
    );
    result.push({ apiKey, runnerId, runId: rows[0]!.id, jobId: String(rows[0]!.id) });
  }
  return result;
}
