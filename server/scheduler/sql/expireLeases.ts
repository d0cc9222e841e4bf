/**
 * Takes running runs whose lease passed (no heartbeat and no log batch from their runner) as lost:
 * each becomes ERROR with errorType RUNNER_LOST and, while the scraper has retries left, a new QUEUED
 * attempt (retryCount + 1, retryOfId = the lost run) is created in the same statement, unless another
 * run of the scraper is queued or running (it scrapes the site anyway). A new attempt
 * rather than re-queueing the same row keeps the lost run's logs and seqs as they were, and a late
 * append from the lost runner cannot land in the attempt that replaced it.
 */
import type pg from 'pg';
import { notifyRunUpdatedSql } from '../../runs/sql/notifyRunUpdated.ts';

export type ExpiredLease = { runId: number; retryRunId: number | null; scraperId: number };

/** notify: NOTIFY each transition in the statement (the PostgreSQL bus). db: a pool, or the client of a transaction the caller adds to. */
export async function expireLeases(db: pg.Pool | pg.PoolClient, now: Date, notify = true): Promise<ExpiredLease[]> {
  const { rows } = await db.query<{ lost: number; retry: number | null; scraperId: number }>({
    name: 'expire_leases',
    text: `WITH expired AS (
             SELECT id FROM run
              WHERE status = 'RUNNING' AND lease_expires_at < $1
                FOR UPDATE SKIP LOCKED
           ),
           lost AS (
             UPDATE run
                SET status = 'ERROR',
                    completed_at = now(),
                    duration_seconds = extract(epoch FROM now() - run.started_at),
                    error_type = 'RUNNER_LOST',
                    error_message = 'The runner sent no heartbeat and no logs before its lease expired',
                    lease_expires_at = NULL
               FROM expired
              WHERE run.id = expired.id
          RETURNING run.id, run.scraper_id, run.triggered_by, run.retry_count, run.required_labels, ${notifyRunUpdatedSql('run', '$2')} AS notified
           ),
           retried AS (
             INSERT INTO run (scraper_id, triggered_by, retry_count, retry_of_id, required_labels)
             SELECT lost.scraper_id, lost.triggered_by, lost.retry_count + 1, lost.id, lost.required_labels
               FROM lost JOIN scraper ON scraper.id = lost.scraper_id AND scraper.enabled
              WHERE lost.retry_count < scraper.max_retries
                -- Another run of the scraper queued or running scrapes the site anyway (the lost run still reads as RUNNING here).
                AND NOT EXISTS (SELECT 1 FROM run active
                                 WHERE active.scraper_id = lost.scraper_id AND active.id <> lost.id
                                   AND active.status IN ('QUEUED', 'RUNNING'))
                 ON CONFLICT (retry_of_id) DO NOTHING
          RETURNING id, scraper_id, retry_of_id
           ),
           announced AS (
             SELECT retried.id, retried.retry_of_id, ${notifyRunUpdatedSql('retried', '$2')} AS notified FROM retried
           )
           SELECT lost.id AS lost, announced.id AS retry, lost.scraper_id AS "scraperId"
             FROM lost LEFT JOIN announced ON announced.retry_of_id = lost.id`,
    values: [now, notify],
  });
  return rows.map((r) => ({ runId: r.lost, retryRunId: r.retry, scraperId: r.scraperId }));
}
