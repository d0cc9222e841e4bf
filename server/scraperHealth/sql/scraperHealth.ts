/**
 * Every scraper's run statistics over a recent window in one statement: counts per status, success
 * rate, mean and 95th-percentile duration (percentile_cont, interpolated), plus its latest run and
 * latest good run of all time, which a quiet scraper should not lose from view.
 */
import type pg from 'pg';

export type ScraperHealthRow = {
  scraperId: number;
  runCount: number;
  finishedCount: number;
  succeededCount: number;
  averageDurationSeconds: number | null;
  p95DurationSeconds: number | null;
  queued: number;
  running: number;
  success: number;
  warning: number;
  error: number;
  cancelled: number;
  lastRunId: number | null;
  lastSuccessAt: Date | null;
};

const SCRAPER_HEALTH = `
WITH stats AS (
  SELECT scraper_id,
         count(*) AS run_count,
         count(*) FILTER (WHERE status IN ('SUCCESS', 'WARNING', 'ERROR', 'CANCELLED')) AS finished_count,
         count(*) FILTER (WHERE status IN ('SUCCESS', 'WARNING')) AS succeeded_count,
         avg(duration_seconds) AS average_duration,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_seconds) AS p95_duration,
         count(*) FILTER (WHERE status = 'QUEUED') AS queued,
         count(*) FILTER (WHERE status = 'RUNNING') AS running,
         count(*) FILTER (WHERE status = 'SUCCESS') AS success,
         count(*) FILTER (WHERE status = 'WARNING') AS warning,
         count(*) FILTER (WHERE status = 'ERROR') AS error,
         count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled
    FROM run
   WHERE queued_at >= now() - make_interval(days => $1)
   GROUP BY scraper_id
)
SELECT s.id AS "scraperId",
       coalesce(st.run_count, 0) AS "runCount",
       coalesce(st.finished_count, 0) AS "finishedCount",
       coalesce(st.succeeded_count, 0) AS "succeededCount",
       st.average_duration AS "averageDurationSeconds",
       st.p95_duration AS "p95DurationSeconds",
       coalesce(st.queued, 0) AS queued,
       coalesce(st.running, 0) AS running,
       coalesce(st.success, 0) AS success,
       coalesce(st.warning, 0) AS warning,
       coalesce(st.error, 0) AS error,
       coalesce(st.cancelled, 0) AS cancelled,
       last_run.id AS "lastRunId",
       last_success.completed_at AS "lastSuccessAt"
  FROM scraper s
  LEFT JOIN stats st ON st.scraper_id = s.id
  LEFT JOIN LATERAL (
    SELECT id FROM run WHERE run.scraper_id = s.id ORDER BY queued_at DESC, id DESC LIMIT 1
  ) last_run ON true
  -- One max() per status: each is a single probe of run (scraper_id, status, completed_at), where
  -- status IN (…) would read every good run the scraper ever had.
  LEFT JOIN LATERAL (
    SELECT greatest(
             (SELECT max(completed_at) FROM run WHERE run.scraper_id = s.id AND status = 'SUCCESS'),
             (SELECT max(completed_at) FROM run WHERE run.scraper_id = s.id AND status = 'WARNING')) AS completed_at
  ) last_success ON true
 ORDER BY s.slug`;

export async function scraperHealth(pool: pg.Pool, days: number): Promise<ScraperHealthRow[]> {
  const { rows } = await pool.query<ScraperHealthRow>({ name: 'scraper_health', text: SCRAPER_HEALTH, values: [days] });
  return rows;
}
