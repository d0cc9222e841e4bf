/** A run that just ended, as alerting judges it: its status, warnings and error, and its scraper's name. */
import type pg from 'pg';

export type EndedRun = {
  id: number;
  scraperId: number;
  scraperName: string;
  status: 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'WARNING' | 'ERROR' | 'CANCELLED';
  /** run.warnings as stored: a list of RunWarning, read defensively by the judge. */
  warnings: unknown;
  errorType: string | null;
  errorMessage: string | null;
};

export async function readEndedRun(client: pg.ClientBase, runId: number): Promise<EndedRun | null> {
  const { rows } = await client.query<EndedRun>({
    name: 'read_ended_run',
    text: `SELECT run.id, run.scraper_id AS "scraperId", s.name AS "scraperName", run.status, run.warnings,
                  run.error_type AS "errorType", run.error_message AS "errorMessage"
             FROM run JOIN scraper s ON s.id = run.scraper_id
            WHERE run.id = $1`,
    values: [runId],
  });
  return rows[0] ?? null;
}

/**
 * How many of the scraper's latest ended runs failed in a row, counting at most `limit`. A run
 * counts when it ended SUCCESS, WARNING or ERROR; a CANCELLED one was stopped by a person and
 * says nothing about the scraper, so it neither fails nor breaks the streak.
 */
export async function failureStreak(client: pg.ClientBase, scraperId: number, limit: number): Promise<number> {
  const { rows } = await client.query<{ status: string }>({
    name: 'latest_ended_runs',
    text: `SELECT status FROM run
            WHERE scraper_id = $1 AND status IN ('SUCCESS', 'WARNING', 'ERROR')
            ORDER BY completed_at DESC NULLS LAST, id DESC
            LIMIT $2`,
    values: [scraperId, limit],
  });
  const firstGood = rows.findIndex((row) => row.status !== 'ERROR');
  return firstGood === -1 ? rows.length : firstGood;
}
