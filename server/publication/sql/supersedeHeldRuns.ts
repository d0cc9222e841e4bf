/**
 * Once a run of a scraper is published, the runs of that scraper held before it are no longer
 * waiting for approval: newer values passed their gates. Each moved run is announced like any run change.
 */
import type pg from 'pg';
import { notifyRunUpdatedSql, type RunChange } from '../../runs/sql/notifyRunUpdated.ts';

export async function supersedeHeldRuns(client: pg.ClientBase, params: { scraperId: number; publishedRunId: number; notify: boolean }): Promise<RunChange[]> {
  const { rows } = await client.query<RunChange>({
    name: 'supersede_held_runs',
    text: `UPDATE run
              SET publication = 'SUPERSEDED'
            WHERE scraper_id = $1
              AND publication = 'HELD'
              AND id <> $2
              AND completed_at <= (SELECT completed_at FROM run WHERE id = $2)
        RETURNING id AS "runId", scraper_id AS "scraperId", ${notifyRunUpdatedSql('run', '$3')} AS notified`,
    values: [params.scraperId, params.publishedRunId, params.notify],
  });
  return rows.map(({ runId, scraperId }) => ({ runId, scraperId }));
}
