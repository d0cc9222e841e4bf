/** A runner's heartbeat: pushes the lease of its running run forward. */
import type pg from 'pg';

export async function extendLease(pool: pg.Pool, runId: number, runnerId: number, leaseSeconds: number): Promise<boolean> {
  const { rowCount } = await pool.query({
    name: 'extend_lease',
    text: `UPDATE run SET lease_expires_at = now() + make_interval(secs => $3)
            WHERE id = $1 AND runner_id = $2 AND status = 'RUNNING'`,
    values: [runId, runnerId, leaseSeconds],
  });
  return rowCount === 1;
}
