/**
 * The oldest claimable run of each scraper (every scraper, or those given) and the labels it asks
 * for: one row per scraper that has a run a waiting runner could take now.
 */
import type pg from 'pg';
import { CLAIMABLE_RUNS } from './claimableRuns.ts';

/** At most this many scrapers' runs wake runners at once; the rest are found when waits end and runners claim again. */
const MOST_SCRAPERS = 1_000;

export type ClaimableRun = { runId: number; labels: string[] };

export async function readClaimableRuns(pool: pg.Pool, scraperIds: number[] | null): Promise<ClaimableRun[]> {
  const { rows } = await pool.query<ClaimableRun>({
    name: 'read_claimable_runs',
    text: `SELECT DISTINCT ON (run.scraper_id) run.id AS "runId", run.required_labels AS labels ${CLAIMABLE_RUNS}
              AND ($1::int[] IS NULL OR run.scraper_id = ANY($1::int[]))
            ORDER BY run.scraper_id, run.queued_at, run.id
            LIMIT ${MOST_SCRAPERS}`,
    values: [scraperIds],
  });
  return rows;
}
