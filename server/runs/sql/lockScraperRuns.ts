/**
 * The scraper and its active runs, read under the scraper's row lock, for a decision that must not
 * race another (two triggers at the same moment): the lock is held until the transaction ends, and
 * the runs are read by a second statement, after the lock is granted, so that they include whatever
 * the previous holder committed.
 */
import type pg from 'pg';

type ActiveRun = { id: number; status: 'QUEUED' | 'RUNNING' };
export type LockedScraper = { enabled: boolean; active: ActiveRun[] };

export async function lockScraperRuns(client: pg.PoolClient, scraperId: number): Promise<LockedScraper | null> {
  // NO KEY UPDATE: runs being inserted for the scraper (a FOR KEY SHARE on it) are not held up.
  const { rows } = await client.query<{ enabled: boolean }>({
    name: 'lock_scraper_for_runs',
    text: `SELECT enabled FROM scraper WHERE id = $1 FOR NO KEY UPDATE`,
    values: [scraperId],
  });
  if (!rows[0]) return null;
  const { rows: active } = await client.query<ActiveRun>({
    name: 'active_runs_of_scraper',
    text: `SELECT id, status FROM run WHERE scraper_id = $1 AND status IN ('QUEUED', 'RUNNING') ORDER BY status DESC, id`,
    values: [scraperId],
  });
  return { enabled: rows[0].enabled, active };
}
