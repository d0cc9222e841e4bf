/**
 * Hands the oldest queued run to a runner. SKIP LOCKED lets any number of runners claim at once
 * without waiting on each other or ever taking the same run. A queued run of a scraper that has a
 * run RUNNING waits until that one has ended: one run of a scraper runs at a time.
 */
import type pg from 'pg';
import { notifyRunUpdatedSql } from './notifyRunUpdated.ts';

export async function claimRun(pool: pg.Pool, runnerId: number, leaseSeconds: number): Promise<number | null> {
  const { rows } = await pool.query<{ id: number }>({
    name: 'claim_run',
    text: `WITH next AS (
             SELECT run.id FROM run
               JOIN scraper ON scraper.id = run.scraper_id AND scraper.enabled
              WHERE run.status = 'QUEUED'
                AND NOT EXISTS (SELECT 1 FROM run active WHERE active.scraper_id = run.scraper_id AND active.status = 'RUNNING')
              ORDER BY run.queued_at, run.id
              LIMIT 1
                FOR UPDATE OF run SKIP LOCKED
           )
           UPDATE run
              SET status = 'RUNNING', started_at = now(), runner_id = $1,
                  lease_expires_at = now() + make_interval(secs => $2)
             FROM next
            WHERE run.id = next.id
        RETURNING run.id, ${notifyRunUpdatedSql('run')}`,
    values: [runnerId, leaseSeconds],
  });
  return rows[0]?.id ?? null;
}
