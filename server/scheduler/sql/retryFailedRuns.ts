/**
 * Retries failed runs with exponential backoff: a run that ended in ERROR gets a new QUEUED attempt
 * once backoffSeconds * 2^retryCount have passed since it ended, while its retryCount is below the
 * scraper's maxRetries. Only a scraper's newest run is retried (a later run, scheduled or triggered,
 * supersedes the failure), and never while another run of it is queued or running.
 */
import type pg from 'pg';
import { notifyRunUpdatedSql } from '../../runs/sql/notifyRunUpdated.ts';

/** Failures older than this are history, not something to retry (for example after a long downtime). */
const RETRY_HORIZON = '1 day';

export type RetriedRun = { runId: number; retryOfId: number; scraperId: number };

/** notify: NOTIFY each new attempt in the statement (the PostgreSQL bus). */
export async function retryFailedRuns(pool: pg.Pool, now: Date, backoffSeconds: number, notify = true): Promise<RetriedRun[]> {
  const { rows } = await pool.query<{ id: number; retryOfId: number; scraperId: number }>({
    name: 'retry_failed_runs',
    text: `WITH due AS (
             SELECT run.id, run.scraper_id, run.triggered_by, run.retry_count, run.required_labels
               FROM run JOIN scraper ON scraper.id = run.scraper_id AND scraper.enabled
              WHERE run.status = 'ERROR'
                AND run.completed_at > $1::timestamptz - interval '${RETRY_HORIZON}'
                AND run.retry_count < scraper.max_retries
                AND run.completed_at + make_interval(secs => $2 * power(2, run.retry_count)) <= $1
                AND NOT EXISTS (SELECT 1 FROM run later WHERE later.scraper_id = run.scraper_id AND later.id > run.id)
                AND NOT EXISTS (SELECT 1 FROM run active WHERE active.scraper_id = run.scraper_id AND active.status IN ('QUEUED', 'RUNNING'))
           ),
           retried AS (
             INSERT INTO run (scraper_id, triggered_by, retry_count, retry_of_id, required_labels)
             SELECT scraper_id, triggered_by, retry_count + 1, id, required_labels FROM due
                 ON CONFLICT (retry_of_id) DO NOTHING
          RETURNING id, scraper_id, retry_of_id
           )
           SELECT id, retry_of_id AS "retryOfId", scraper_id AS "scraperId", ${notifyRunUpdatedSql('retried', '$3')} AS notified FROM retried`,
    values: [now, backoffSeconds, notify],
  });
  return rows.map((r) => ({ runId: r.id, retryOfId: r.retryOfId, scraperId: r.scraperId }));
}
