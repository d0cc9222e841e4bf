/** Locks a run for an admin's approval and reads what the approval needs. */
import type pg from 'pg';

export type RunToApprove = {
  scraperId: number;
  sourceId: number;
  publication: string;
  completedAt: Date | null;
  productsFound: number;
  volumeDropped: boolean;
};

export async function lockRunForApproval(client: pg.ClientBase, runId: number): Promise<RunToApprove | null> {
  const { rows } = await client.query<RunToApprove>({
    name: 'lock_run_for_approval',
    text: `SELECT r.scraper_id AS "scraperId", sc.source_id AS "sourceId", r.publication, r.completed_at AS "completedAt",
                  r.products_found AS "productsFound", r.warnings @> '[{"reason": "VOLUME_DROP"}]' AS "volumeDropped"
             FROM run r
             JOIN scraper sc ON sc.id = r.scraper_id
            WHERE r.id = $1
              FOR UPDATE OF r`,
    values: [runId],
  });
  return rows[0] ?? null;
}
