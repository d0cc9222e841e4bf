/**
 * Hands the oldest queued run to a runner. One run of a scraper runs at a time: a queued run of a
 * scraper with a run RUNNING waits until that one has ended. Concurrent claims never take the same
 * run (SKIP LOCKED on the run), nor two runs of one scraper: the claim holds the scraper's row lock
 * (as triggerRun does) and checks for a RUNNING run again in a statement of its own, whose snapshot
 * includes what the previous holder of the lock committed.
 */
import type pg from 'pg';
import { withTransaction } from '../../db/withTransaction.ts';
import { notifyRunUpdatedSql, type RunChange } from './notifyRunUpdated.ts';
import { MARK_RUNNER_WAITING } from '../../runners/sql/runnerWaits.ts';
import { CLAIMABLE_RUNS } from './claimableRuns.ts';

/** Queued runs asking for no label the runner lacks ($1), whose scraper is enabled and has nothing running, oldest first. */
const CLAIMABLE = `${CLAIMABLE_RUNS}
   AND run.required_labels <@ $1::text[]
 ORDER BY run.queued_at, run.id
 LIMIT 1`;

export type Claim = {
  runnerId: number;
  /** The labels the runner holds: it takes only runs that ask for none beyond them. */
  labels: readonly string[];
  leaseSeconds: number;
  /** NOTIFY the claim in its transaction (the PostgreSQL bus). */
  notify: boolean;
  /**
   * Record in the same statement as the first look that the runner waits this long for work (its
   * presence, see runnerWaits.ts): an idle fleet's cost is that one statement per wait.
   */
  waitingMs?: number;
};

export type ClaimAttempt = {
  claimed: RunChange | null;
  /** The end of the wait recorded (with waitingMs), the token markRunnerHungUp takes. */
  waitingUntil: Date | null;
};

export async function claimOldestQueuedRun(pool: pg.Pool, claim: Claim): Promise<ClaimAttempt> {
  // A look without locks first: a runner polling an empty queue costs one read and no transaction.
  const { claimable, waitingUntil } = await lookForClaimableRun(pool, claim);
  return { claimed: claimable ? await claimRun(pool, claim) : null, waitingUntil };
}

/**
 * Whether a run the runner may take is claimable now, without locks; with waitingMs, recorded in the
 * same statement as the start of a wait of that length (waitingUntil, the token markRunnerHungUp takes).
 */
export async function lookForClaimableRun(
  pool: pg.Pool,
  look: { runnerId: number; labels: readonly string[]; waitingMs?: number },
): Promise<{ claimable: boolean; waitingUntil: Date | null }> {
  const { rows } = look.waitingMs
    ? await pool.query<{ claimable: boolean; waitingUntil: Date | null }>({
        name: 'any_claimable_run_while_waiting',
        text: `WITH marked AS (${MARK_RUNNER_WAITING} RETURNING waiting_until)
               SELECT EXISTS (SELECT run.id ${CLAIMABLE}) AS claimable, (SELECT waiting_until FROM marked) AS "waitingUntil"`,
        values: [look.labels, look.runnerId, look.waitingMs],
      })
    : await pool.query<{ claimable: boolean; waitingUntil: Date | null }>({
        name: 'any_claimable_run',
        text: `SELECT EXISTS (SELECT run.id ${CLAIMABLE}) AS claimable, NULL::timestamptz AS "waitingUntil"`,
        values: [look.labels],
      });
  return rows[0]!;
}

function claimRun(pool: pg.Pool, { runnerId, labels, leaseSeconds, notify }: Claim): Promise<RunChange | null> {
  return withTransaction(pool, async (client) => {
    // A run and its scraper, both locked; another claim or a trigger holding either makes this one move on.
    const { rows: picked } = await client.query<{ id: number; scraperId: number }>({
      name: 'pick_claimable_run',
      text: `SELECT run.id, run.scraper_id AS "scraperId" ${CLAIMABLE}
               FOR UPDATE OF run SKIP LOCKED
               FOR NO KEY UPDATE OF scraper SKIP LOCKED`,
      values: [labels],
    });
    if (!picked[0]) return null;
    const { rows } = await client.query<{ id: number }>({
      name: 'claim_run',
      text: `UPDATE run
                SET status = 'RUNNING', started_at = now(), runner_id = $2,
                    lease_expires_at = now() + make_interval(secs => $3)
              WHERE id = $1
                AND NOT EXISTS (SELECT 1 FROM run active WHERE active.scraper_id = $4 AND active.status = 'RUNNING')
                -- A runner revoked while it waited (its key was valid when it asked) takes nothing.
                AND EXISTS (SELECT 1 FROM runner WHERE runner.id = $2 AND runner.revoked_at IS NULL)
          RETURNING id, ${notifyRunUpdatedSql('run', '$5')} AS notified`,
      values: [picked[0].id, runnerId, leaseSeconds, picked[0].scraperId, notify],
    });
    return rows[0] ? { runId: rows[0].id, scraperId: picked[0].scraperId } : null;
  });
}
