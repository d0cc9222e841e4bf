/**
 * The statements of log retention. Lines are found through their run (runs queued before the
 * cutoff, by run_queued_at_id_idx) and deleted by primary key a few thousand at a time, so that
 * the hot table needs no extra index and every delete is a short transaction of its own.
 */
import type pg from 'pg';

export type RunCursor = { queuedAt: Date; id: number };
export type ExpiringRun = RunCursor & { finished: boolean };

/** The next runs queued before the cutoff, after the cursor, in (queued_at, id) order. */
export async function runsQueuedBefore(
  client: pg.PoolClient,
  cutoff: Date,
  after: RunCursor | null,
  limit: number,
): Promise<ExpiringRun[]> {
  const { rows } = await client.query<ExpiringRun>({
    name: 'retention_runs_queued_before',
    text: `SELECT queued_at AS "queuedAt", id, status NOT IN ('QUEUED', 'RUNNING') AS finished FROM run
            WHERE queued_at < $1
              AND ($2::timestamptz IS NULL OR (queued_at, id) > ($2, $3))
            ORDER BY queued_at, id
            LIMIT $4`,
    values: [cutoff, after?.queuedAt ?? null, after?.id ?? 0, limit],
  });
  return rows;
}

/** Deletes up to `limit` of the run's lines received before the cutoff; returns how many it deleted. */
export async function deleteExpiredLogLines(client: pg.PoolClient, runId: number, cutoff: Date, limit: number): Promise<number> {
  const { rowCount } = await client.query({
    name: 'retention_delete_log_lines',
    text: `DELETE FROM log_line
            WHERE run_id = $1
              AND seq IN (SELECT seq FROM log_line WHERE run_id = $1 AND received_at < $2 ORDER BY seq LIMIT $3)`,
    values: [runId, cutoff, limit],
  });
  return rowCount ?? 0;
}

/** Whether the run still has any stored line (newer ones, or ones not deleted yet). */
export async function runHasLogLines(client: pg.PoolClient, runId: number): Promise<boolean> {
  const { rows } = await client.query({
    name: 'retention_run_has_lines',
    text: `SELECT EXISTS (SELECT 1 FROM log_line WHERE run_id = $1) AS has`,
    values: [runId],
  });
  return rows[0].has as boolean;
}
