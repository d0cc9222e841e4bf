/**
 * What callers can do to runs: plain functions over the database (who may call each is the schema's
 * to say). Each returns the run it changed, which the caller announces on a live bus that is not NOTIFY.
 */
import type { Database } from '../db/database.ts';
import { NotFoundError } from '../domainErrors.ts';
import { claimOldestQueuedRun } from './sql/claimOldestQueuedRun.ts';
import { enqueueRun, type TriggerSource } from './sql/enqueueRun.ts';
import { extendLease } from './sql/extendLease.ts';
import { endJudgedRun, type RunCompletion, type RunResult } from './endJudgedRun.ts';
import { finishRun } from './sql/finishRun.ts';
import { lockScraperRuns } from './sql/lockScraperRuns.ts';
import type { RunChange } from './sql/notifyRunUpdated.ts';
import { withTransaction } from '../db/withTransaction.ts';
import { addRunsToScraperDays } from '../trends/sql/addRunsToScraperDays.ts';
import { RunInProgressError, ScraperDisabledError } from './errors.ts';
import { explainRefusal } from './explainRefusal.ts';
import type { ClaimWaiters, Waiting } from './claimWaiters.ts';
import { markRunnerHungUp } from '../runners/sql/runnerWaits.ts';

/** What a trigger does when the scraper already has a run queued or running. */
export type IfActive = 'REFUSE' | 'QUEUE';

/**
 * Queues a run of the scraper. One run of a scraper runs at a time: with REFUSE a trigger while one
 * is queued or running is refused (RunInProgressError naming it); with QUEUE it queues a run that
 * starts when the running one ends, unless one is already waiting (refused, naming that one).
 * Decided under the scraper's row lock, so two triggers at the same moment make one run.
 */
export async function triggerRun(
  db: Database,
  scraperId: number,
  triggeredBy: TriggerSource,
  ifActive: IfActive = 'REFUSE',
  /** The labels a runner must hold to take it; null takes the definition's runnerLabels. */
  labels: readonly string[] | null = null,
): Promise<RunChange> {
  return withTransaction(db.pool, async (client) => {
    const scraper = await lockScraperRuns(client, scraperId);
    if (!scraper) throw new NotFoundError('Scraper', String(scraperId));
    if (!scraper.enabled) throw new ScraperDisabledError(scraperId);
    const running = scraper.active.find((run) => run.status === 'RUNNING');
    const queued = scraper.active.find((run) => run.status === 'QUEUED');
    const blocking = ifActive === 'QUEUE' ? queued : (running ?? queued);
    if (blocking) throw new RunInProgressError(scraperId, blocking.id, blocking.status);
    return { runId: await enqueueRun(client, { scraperId, triggeredBy, notify: db.notifyInTransaction, labels }), scraperId };
  });
}

export type RunClaim = {
  runnerId: number;
  /** The labels it claims under: the runs it takes ask for none beyond them. */
  labels: readonly string[];
  leaseSeconds: number;
  /** How long to wait for a run when none is claimable now; 0 answers at once. */
  waitMs: number;
  /** Ends the wait early (the runner hung up). */
  signal?: AbortSignal;
};

/** A claim's look that found nothing, with the runner left in line for the rest of its wait. */
export type ClaimWait = {
  waiting: Waiting;
  /** The end of the wait recorded as the runner's presence at its first look (markRunnerHungUp's token). */
  waitingUntil: Date | null;
};

/**
 * One look for a claimable run. The runner enters the line first, so a run queued while the look
 * reads the queue still wakes it; it leaves when the look claims one. `first`: the wait's first
 * look, which records the whole wait as the runner's presence (later looks after a wake-up do not).
 */
export async function lookForRun(db: Database, waiters: ClaimWaiters, claim: RunClaim, first: boolean): Promise<{ claimed: RunChange } | ({ claimed: null } & ClaimWait)> {
  const { runnerId, labels, leaseSeconds, waitMs, signal } = claim;
  const waiting = waiters.enter(labels, waitMs, signal);
  // A runner that hung up would not receive a run claimed for it.
  if (signal?.aborted) return { claimed: null, waiting, waitingUntil: null };
  let attempt;
  try {
    attempt = await claimOldestQueuedRun(db.pool, { runnerId, labels, leaseSeconds, notify: db.notifyInTransaction, waitingMs: first && waitMs > 0 ? waitMs : undefined });
  } catch (error) {
    waiting.leave();
    throw error;
  }
  if (!attempt.claimed) return { claimed: null, waiting, waitingUntil: attempt.waitingUntil };
  waiting.leave();
  return { claimed: attempt.claimed };
}

/**
 * Takes the oldest claimable run for the runner, waiting up to waitMs for one (see ClaimWaiters):
 * null when none came. A wait counts as the runner's presence from its first look, until it ends
 * or the runner hangs up.
 */
export async function claimRun(db: Database, waiters: ClaimWaiters, claim: RunClaim): Promise<RunChange | null> {
  const deadline = Date.now() + claim.waitMs;
  let waitingUntil: Date | null = null;
  try {
    for (let first = true; ; first = false) {
      const look = await lookForRun(db, waiters, { ...claim, waitMs: deadline - Date.now() }, first);
      if (look.claimed) return look.claimed;
      waitingUntil ??= look.waitingUntil;
      if (!(await look.waiting.woken)) return null;
      if (claim.signal?.aborted) {
        look.waiting.passOn();
        return null;
      }
    }
  } finally {
    if (waitingUntil && claim.signal?.aborted) await markRunnerHungUp(db.pool, claim.runnerId, waitingUntil);
  }
}

/**
 * A runner reports its run's outcome: the run ends with the server's verdict on it (see endJudgedRun),
 * which may be stricter than the runner's own (a SUCCESS that found nothing ends WARNING).
 */
export async function completeRun(db: Database, runnerId: number, runId: number, result: RunResult): Promise<RunCompletion> {
  const ended = await withTransaction(db.pool, (client) => endJudgedRun(client, { runnerId, runId, result, notify: db.notifyInTransaction }));
  if (ended) return ended;
  // The runner's retry of an outcome already stored (its first answer was lost) is answered as the first
  // was, and announced again: the first announcement may be what the failed attempt never got to send.
  const run = await db.prisma.run.findUnique({ where: { id: runId }, select: { runnerId: true, status: true, errorType: true, scraperId: true } });
  if (run && run.runnerId === runnerId && COMPLETED_BY_RUNNER.includes(run.status) && run.errorType !== 'RUNNER_LOST') {
    return { runId, scraperId: run.scraperId, incidentIds: [], alsoChanged: [] };
  }
  return explainRefusal(db, runnerId, runId, 'RUNNING');
}

/** The statuses a runner's completeRun leaves a run in; CANCELLED and a lost run's ERROR are not its doing. */
const COMPLETED_BY_RUNNER: string[] = ['SUCCESS', 'WARNING', 'ERROR'];

export async function cancelRun(db: Database, runId: number): Promise<RunChange> {
  const moved = await withTransaction(db.pool, async (client) => {
    const cancelled = await finishRun(client, {
      runId,
      status: 'CANCELLED',
      fromStatuses: ['QUEUED', 'RUNNING'],
      runnerId: null,
      errorType: 'CANCELLED',
      errorMessage: 'Cancelled by an admin',
      notify: db.notifyInTransaction,
    });
    if (cancelled) await addRunsToScraperDays(client, [cancelled.runId]);
    return cancelled;
  });
  return moved ?? explainRefusal(db, null, runId, 'QUEUED or RUNNING');
}

export async function heartbeat(db: Database, runnerId: number, runId: number, leaseSeconds: number): Promise<void> {
  const extended = await extendLease(db.pool, runId, runnerId, leaseSeconds);
  if (!extended) await explainRefusal(db, runnerId, runId, 'RUNNING');
}
