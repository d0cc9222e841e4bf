/**
 * The runs whose state changed lately, for catching up after the live bus was away. A run has no
 * updated_at; every transition that announces itself stamps one of queued_at (queued, retried),
 * started_at (claimed) or completed_at (finished, cancelled, lost).
 */
import type pg from 'pg';
import type { RunChange } from './notifyRunUpdated.ts';

/**
 * Runs changed within the last withinMs by the database's clock, newest changes first, at most
 * `limit`; scraperIds null means runs of every scraper.
 */
export async function readRunsChangedSince(
  db: pg.Pool,
  params: { withinMs: number; scraperIds: number[] | null; limit: number },
): Promise<RunChange[]> {
  const { rows } = await db.query<RunChange>({
    name: 'read_runs_changed_since',
    text: `SELECT id AS "runId", scraper_id AS "scraperId"
             FROM run
            WHERE ($2::int[] IS NULL OR scraper_id = ANY($2::int[]))
              AND greatest(queued_at, started_at, completed_at) >= now() - make_interval(secs => $1::float8 / 1000)
            ORDER BY greatest(queued_at, started_at, completed_at) DESC, id DESC
            LIMIT $3`,
    values: [params.withinMs, params.scraperIds, params.limit],
  });
  return rows;
}
