/**
 * A runner's held wait for work stands in for its calls: while it waits it counts as connected
 * (Runner.online), without calling again; if its connection closes early, it stops counting at once.
 */
import type pg from 'pg';

/**
 * Records a wait of $3 ms by runner $2 starting now (the claim's first look runs it, in the same
 * statement). Several workers of one runner wait at once: the latest end holds.
 */
export const MARK_RUNNER_WAITING = `UPDATE runner
   SET waiting_until = GREATEST(waiting_until, now() + make_interval(secs => $3::float8 / 1000)), last_seen_at = now()
 WHERE id = $2`;

/** The wait ending at `until` ended early because its connection closed; a later wait of the runner is left alone. */
export async function markRunnerHungUp(pool: pg.Pool, runnerId: number, until: Date): Promise<void> {
  await pool.query({
    name: 'mark_runner_hung_up',
    text: `UPDATE runner SET waiting_until = now() WHERE id = $1 AND waiting_until = $2`,
    values: [runnerId, until],
  });
}
