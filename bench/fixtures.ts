/** The rows the live phases need: runners, each with a RUNNING run it has claimed, inserted straight into the database. */
import type pg from 'pg';
import { appender } from './client.ts';
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

/**
 * Appends one line to each run and returns the runs with their newest seq: a subscription with
 * afterSeq just before it proves it is live with its first event.
 */
export async function withFirstLine(httpUrl: string, pool: pg.Pool, runs: RunnerWithRun[]): Promise<Array<RunnerWithRun & { lastSeq: number }>> {
  const ready = JSON.stringify([{ level: 'INFO', message: 'ready' }]);
  await Promise.all(runs.map((r) => appender(httpUrl, { apiKey: r.apiKey }, r.jobId)(`ready-${r.runId}-${Date.now()}`, ready)));
  const { rows } = await pool.query<{ id: number; last_seq: number }>(`SELECT id, last_seq FROM run WHERE id = ANY($1)`, [runs.map((r) => r.runId)]);
  const lastSeq = new Map(rows.map((r) => [r.id, r.last_seq]));
  return runs.map((r) => ({ ...r, lastSeq: lastSeq.get(r.runId)! }));
}

/**
 * Ends a phase's runs as a runner would: left RUNNING, their leases (extended by every append) would
 * run out together a minute later, in the middle of whatever phase runs then.
 */
export async function endRuns(pool: pg.Pool, runs: Array<Pick<RunnerWithRun, 'runId'>>): Promise<void> {
  await pool.query(`UPDATE run SET status = 'SUCCESS', completed_at = now() WHERE id = ANY($1) AND status = 'RUNNING'`, [runs.map((r) => r.runId)]);
}
