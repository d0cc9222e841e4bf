/** Queues the retry of a failed run and, on the PostgreSQL bus, announces it. */
import type pg from 'pg';
import { notifyRunUpdatedSql } from './notifyRunUpdated.ts';

type FailedRun = { id: number; scraperId: number; status: string; retryCount: number; retryRunId: number | null };

/** The run and the id of its retry, if it has one. */
export async function readFailedRun(client: pg.PoolClient, runId: number): Promise<FailedRun | null> {
  const { rows } = await client.query<FailedRun>({
    name: 'read_run_for_retry',
    text: `SELECT run.id, run.scraper_id AS "scraperId", run.status, run.retry_count AS "retryCount", retry.id AS "retryRunId"
             FROM run LEFT JOIN run retry ON retry.retry_of_id = run.id
            WHERE run.id = $1`,
    values: [runId],
  });
  return rows[0] ?? null;
}

/**
 * A new QUEUED attempt of the run's scraper, triggered by hand, with retry_of_id naming the run and
 * the labels it asked for: null when the run has a retry already (retry_of_id is unique, whoever queued it).
 */
export async function enqueueRetry(client: pg.PoolClient, run: FailedRun, notify: boolean): Promise<number | null> {
  const { rows } = await client.query<{ id: number }>({
    name: 'enqueue_retry',
    text: `WITH inserted AS (
             INSERT INTO run (scraper_id, triggered_by, retry_count, retry_of_id, required_labels)
             SELECT $1, 'MANUAL', $2, $3, failed.required_labels FROM run failed WHERE failed.id = $3
                 ON CONFLICT (retry_of_id) DO NOTHING
             RETURNING id, scraper_id
           )
           SELECT id, ${notifyRunUpdatedSql('inserted', '$4')} FROM inserted`,
    values: [run.scraperId, run.retryCount + 1, run.id, notify],
  });
  return rows[0]?.id ?? null;
}
