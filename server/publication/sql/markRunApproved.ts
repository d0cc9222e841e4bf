/** Records that an admin approved a held run: its products are published from now. */
import type pg from 'pg';
import { notifyRunUpdatedSql, type RunChange } from '../../runs/sql/notifyRunUpdated.ts';

export async function markRunApproved(client: pg.ClientBase, runId: number, notify: boolean): Promise<RunChange> {
  const { rows } = await client.query<RunChange>({
    name: 'mark_run_approved',
    text: `UPDATE run SET publication = 'APPROVED', published_at = now()
            WHERE id = $1
        RETURNING id AS "runId", scraper_id AS "scraperId", ${notifyRunUpdatedSql('run', '$2')} AS notified`,
    values: [runId, notify],
  });
  return { runId: rows[0]!.runId, scraperId: rows[0]!.scraperId };
}
