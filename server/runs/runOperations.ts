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

/** A claim's wait in progress: the runner's place in line, until the deadline. */
export type ClaimWait = {
  waiting: Waiting;
  /** The end of the wait recorded as the runner's presence at its first look (markRunnerHungUp's token). */
  waitingUntil: Date | null;
  /** When the whole wait ends (Date.now() scale). */
  deadline: number;
};

/**
 * One look for a claimable run, the first of a wait or one after a wake-up (`continued`). The
 * runner enters the line first, so a run queued while the look reads the queue still wakes it; it
 * leaves when the look claims one. The first look records the whole wait as the runner's presence.
 * Finding nothing, it returns the wait to go on with; nothing, when the runner has hung up (no look
 * is made: a run claimed for it would not reach it).
 */
export async function lookForRun(db: Database, waiters: ClaimWaiters, claim: RunClaim, continued?: ClaimWait): Promise<{ claimed: RunChange } | { claimed: null; wait: ClaimWait | null }> {
  const { runnerId, labels, leaseSeconds, signal } = claim;
  if (signal?.aborted) return { claimed: null, wait: null };
  const deadline = continued?.deadline ?? Date.now() + claim.waitMs;
  const waiting = waiters.enter(labels, deadline - Date.now(), signal);
  let attempt;
  try {
    attempt = await claimOldestQueuedRun(db.pool, { runnerId, labels, leaseSeconds, notify: db.notifyInTransaction, waitingMs: !continued && claim.waitMs > 0 ? claim.waitMs : undefined });
  } catch (error) {
    waiting.leave();
    throw error;
  }
  if (attempt.claimed) {
    waiting.leave();
    return { claimed: attempt.claimed };
  }
  return { claimed: null, wait: { waiting, waitingUntil: continued?.waitingUntil ?? attempt.waitingUntil, deadline } };
}

/**
 * Takes the oldest claimable run for the runner, waiting up to waitMs for one (see ClaimWaiters):
 * null when none came. A wait counts as the runner's presence from its first look, until it ends
 * or the runner hangs up; a runner woken after it hung up passes the wake-up on.
 */
export async function claimRun(db: Database, waiters: ClaimWaiters, claim: RunClaim): Promise<RunChange | null> {
  let wait: ClaimWait | undefined;
  try {
    for (;;) {
      const look = await lookForRun(db, waiters, claim, wait);
      if (look.claimed) return look.claimed;
      if (!look.wait) {
        wait?.waiting.passOn();
        return null;
      }
      wait = look.wait;
      if (!(await wait.waiting.woken)) return null;
    }
  } finally {
    if (wait?.waitingUntil && claim.signal?.aborted) await markRunnerHungUp(db.pool, claim.runnerId, wait.waitingUntil);
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
