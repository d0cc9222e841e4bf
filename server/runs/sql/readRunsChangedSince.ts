/**
 * The runs whose state changed at or after a moment, for catching up after the LISTEN connection
 * was away. A run has no updated_at; every transition that announces itself stamps one of
 * queued_at (queued, retried), started_at (claimed) or completed_at (finished, cancelled, lost).
 */
import type pg from 'pg';

export type ChangedRun = { runId: number; scraperId: number };

/** Newest changes first, at most `limit`; scraperIds null means runs of every scraper. */
export async function readRunsChangedSince(
  db: pg.Pool,
  params: { since: Date; scraperIds: number[] | null; limit: number },
): Promise<ChangedRun[]> {
  const { rows } = await db.query<ChangedRun>({
    name: 'read_runs_changed_since',
    text: `SELECT id AS "runId", scraper_id AS "scraperId"
             FROM run
            WHERE ($2::int[] IS NULL OR scraper_id = ANY($2::int[]))
              AND greatest(queued_at, started_at, completed_at) >= $1
            ORDER BY greatest(queued_at, started_at, completed_at) DESC, id DESC
            LIMIT $3`,
    values: [params.since, params.scraperIds, params.limit],
  });
  return rows;
}
