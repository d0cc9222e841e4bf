/**
 * Every scraper's run statistics over a recent window in one statement: counts per status, mean and
 * 95th-percentile duration (percentile_cont, interpolated), the latest run that ended in the window
 * (what the health state and its warnings are judged by), plus its latest run and latest SUCCESS of
 * all time, which a quiet scraper should not lose from view.
 */
import type pg from 'pg';
import type { RunWarning } from '../../runs/runWarnings.ts';

export type ScraperHealthRow = {
  scraperId: number;
  runCount: number;
  finishedCount: number;
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
  /** The latest run in the window that ended SUCCESS, WARNING or ERROR (a cancellation judges nothing). */
  latestEndedStatus: 'SUCCESS' | 'WARNING' | 'ERROR' | null;
  latestEndedWarnings: RunWarning[];
};

const SCRAPER_HEALTH = `
WITH stats AS (
  SELECT scraper_id,
         count(*) AS run_count,
         count(*) FILTER (WHERE status IN ('SUCCESS', 'WARNING', 'ERROR', 'CANCELLED')) AS finished_count,
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
       st.average_duration AS "averageDurationSeconds",
       st.p95_duration AS "p95DurationSeconds",
       coalesce(st.queued, 0) AS queued,
       coalesce(st.running, 0) AS running,
       coalesce(st.success, 0) AS success,
       coalesce(st.warning, 0) AS warning,
       coalesce(st.error, 0) AS error,
       coalesce(st.cancelled, 0) AS cancelled,
       last_run.id AS "lastRunId",
       (SELECT max(completed_at) FROM run WHERE run.scraper_id = s.id AND status = 'SUCCESS') AS "lastSuccessAt",
       latest_ended.status AS "latestEndedStatus",
       coalesce(latest_ended.warnings, '[]') AS "latestEndedWarnings"
  FROM scraper s
  LEFT JOIN stats st ON st.scraper_id = s.id
  LEFT JOIN LATERAL (
    SELECT id FROM run WHERE run.scraper_id = s.id ORDER BY queued_at DESC, id DESC LIMIT 1
  ) last_run ON true
  -- The latest of three probes, one per status, each walking run (scraper_id, status, completed_at)
  -- from the newest: status IN (…) would read every ended run of the scraper in the window.
  LEFT JOIN LATERAL (
    SELECT status, warnings
      FROM ((SELECT status, warnings, completed_at, id FROM run
              WHERE run.scraper_id = s.id AND status = 'SUCCESS' AND queued_at >= now() - make_interval(days => $1)
              ORDER BY completed_at DESC LIMIT 1)
            UNION ALL
            (SELECT status, warnings, completed_at, id FROM run
              WHERE run.scraper_id = s.id AND status = 'WARNING' AND queued_at >= now() - make_interval(days => $1)
              ORDER BY completed_at DESC LIMIT 1)
            UNION ALL
            (SELECT status, warnings, completed_at, id FROM run
              WHERE run.scraper_id = s.id AND status = 'ERROR' AND queued_at >= now() - make_interval(days => $1)
              ORDER BY completed_at DESC LIMIT 1)) latest
     ORDER BY completed_at DESC, id DESC
     LIMIT 1
  ) latest_ended ON true
 ORDER BY s.slug`;

export async function scraperHealth(pool: pg.Pool | pg.ClientBase, days: number): Promise<ScraperHealthRow[]> {
  const { rows } = await pool.query<ScraperHealthRow>({ name: 'scraper_health', text: SCRAPER_HEALTH, values: [days] });
  return rows;
}
