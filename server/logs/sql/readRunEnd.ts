/**
 * How a run ended, for the log subscribers of it: its final status, its last seq (no line is
 * stored after a run ends, so this is the last there will ever be) and the attempt queued to retry
 * it, if there is one yet. Null while the run is QUEUED or RUNNING; 'missing' when there is no such run.
 */
import type pg from 'pg';

export type RunEnd = { status: 'SUCCESS' | 'WARNING' | 'ERROR' | 'CANCELLED'; lastSeq: number; retryRunId: number | null };

export async function readRunEnd(pool: pg.Pool, runId: number): Promise<RunEnd | 'missing' | null> {
  const { rows } = await pool.query<Omit<RunEnd, 'status'> & { status: RunEnd['status'] | 'QUEUED' | 'RUNNING' }>({
    name: 'read_run_end',
    text: `SELECT run.status, run.last_seq AS "lastSeq", retry.id AS "retryRunId"
             FROM run LEFT JOIN run retry ON retry.retry_of_id = run.id
            WHERE run.id = $1`,
    values: [runId],
  });
  const run = rows[0];
  if (!run) return 'missing';
  return run.status === 'QUEUED' || run.status === 'RUNNING' ? null : (run as RunEnd);
}
