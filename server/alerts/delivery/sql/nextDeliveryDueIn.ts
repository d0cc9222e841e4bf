/** How long until the next pending notification may be claimed (its next attempt, or the end of another instance's lease); null when none waits. Measured on the database's clock. */
import type pg from 'pg';

export async function nextDeliveryDueIn(pool: pg.Pool): Promise<number | null> {
  const { rows } = await pool.query<{ waitMs: number | null }>({
    name: 'next_delivery_due_in',
    text: `SELECT (extract(epoch FROM min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) - now()) * 1000)::float8 AS "waitMs"
             FROM notification WHERE status = 'PENDING'`,
  });
  return rows[0]?.waitMs ?? null;
}
