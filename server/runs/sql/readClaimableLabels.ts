/**
 * The labels the oldest claimable run of each scraper asks for (every scraper, or those given): one
 * row per scraper that has a run a waiting runner could take now.
 */
import type pg from 'pg';

/** At most this many scrapers' runs wake runners at once; the rest are found when waits end and runners claim again. */
const MOST_SCRAPERS = 1_000;

export async function readClaimableLabels(pool: pg.Pool, scraperIds: number[] | null): Promise<string[][]> {
  const { rows } = await pool.query<{ labels: string[] }>({
    name: 'read_claimable_labels',
    text: `SELECT DISTINCT ON (run.scraper_id) run.required_labels AS labels
             FROM run JOIN scraper ON scraper.id = run.scraper_id AND scraper.enabled
            WHERE run.status = 'QUEUED'
              AND ($1::int[] IS NULL OR run.scraper_id = ANY($1::int[]))
              AND NOT EXISTS (SELECT 1 FROM run active WHERE active.scraper_id = run.scraper_id AND active.status = 'RUNNING')
            ORDER BY run.scraper_id, run.queued_at, run.id
            LIMIT ${MOST_SCRAPERS}`,
    values: [scraperIds],
  });
  return rows.map((row) => row.labels);
}
