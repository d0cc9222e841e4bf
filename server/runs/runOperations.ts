/**
 * What callers can do to runs: plain functions over the database (who may call each is the schema's
 * to say). Each returns the run it changed, which the caller announces on a live bus that is not NOTIFY.
 */
import type { Database } from '../db/database.ts';
import { storableText } from '../db/storableText.ts';
import { NotFoundError } from '../domainErrors.ts';
import { claimOldestQueuedRun } from './sql/claimOldestQueuedRun.ts';
import { enqueueRun, type TriggerSource } from './sql/enqueueRun.ts';
import { extendLease } from './sql/extendLease.ts';
import { finishRun } from './sql/finishRun.ts';
import { lockScraperRuns } from './sql/lockScraperRuns.ts';
import type { RunChange } from './sql/notifyRunUpdated.ts';
import { withTransaction } from '../db/withTransaction.ts';
import { RunInProgressError, ScraperDisabledError } from './errors.ts';
import { explainRefusal } from './explainRefusal.ts';

/** What a trigger does when the scraper already has a run queued or running. */
export type IfActive = 'REFUSE' | 'QUEUE';

/**
 * Queues a run of the scraper. One run of a scraper runs at a time: with REFUSE a trigger while one
 * is queued or running is refused (RunInProgressError naming it); with QUEUE it queues a run that
 * starts when the running one ends, unless one is already waiting (refused, naming that one).
 * Decided under the scraper's row lock, so two triggers at the same moment make one run.
 */
export async function triggerRun(db: Database, scraperId: number, triggeredBy: TriggerSource, ifActive: IfActive = 'REFUSE'): Promise<RunChange> {
  return withTransaction(db.pool, async (client) => {
    const scraper = await lockScraperRuns(client, scraperId);
    if (!scraper) throw new NotFoundError('Scraper', String(scraperId));
    if (!scraper.enabled) throw new ScraperDisabledError(scraperId);
    const running = scraper.active.find((run) => run.status === 'RUNNING');
    const queued = scraper.active.find((run) => run.status === 'QUEUED');
    const blocking = ifActive === 'QUEUE' ? queued : (running ?? queued);
    if (blocking) throw new RunInProgressError(scraperId, blocking.id, blocking.status);
    return { runId: await enqueueRun(client, { scraperId, triggeredBy, notify: db.notifyInTransaction }), scraperId };
  });
}

export async function claimRun(db: Database, runnerId: number, leaseSeconds: number): Promise<RunChange | null> {
  return claimOldestQueuedRun(db.pool, runnerId, leaseSeconds, db.notifyInTransaction);
}

export type RunResult = {
  status: 'SUCCESS' | 'WARNING' | 'ERROR';
  productsFound: number;
  productsProcessed: number;
  flagsCreated: number;
  errorMessage?: string | null;
  errorType?: string | null;
  /** The run's duration as the runner measured it (finishedAt − startedAt on its clock), when it sent both. */
  runnerSeconds?: number | null;
};

export async function completeRun(db: Database, runnerId: number, runId: number, result: RunResult): Promise<RunChange> {
  // The flags the run's product reports raised are the truth; the runner's own count is not trusted.
  const flagsCreated = await db.prisma.flag.count({ where: { runId } });
  // A run that raised flags but did not fail needs a person's look: it ends as WARNING.
  const status = result.status === 'SUCCESS' && flagsCreated > 0 ? 'WARNING' : result.status;
  const moved = await finishRun(db.pool, {
    runId,
    status,
    fromStatuses: ['RUNNING'],
    runnerId,
    productsFound: result.productsFound,
    productsProcessed: result.productsProcessed,
    flagsCreated,
    // What the runner caught from the web: stored, with U+FFFD for what PostgreSQL cannot hold.
    errorMessage: result.errorMessage == null ? result.errorMessage : storableText(result.errorMessage),
    errorType: result.errorType == null ? result.errorType : storableText(result.errorType),
    runnerSeconds: result.runnerSeconds,
    notify: db.notifyInTransaction,
  });
  if (moved) return moved;
  // The runner's retry of an outcome already stored (its first answer was lost) is answered as the first
  // was, and announced again: the first announcement may be what the failed attempt never got to send.
  const run = await db.prisma.run.findUnique({ where: { id: runId }, select: { runnerId: true, status: true, errorType: true, scraperId: true } });
  if (run && run.runnerId === runnerId && COMPLETED_BY_RUNNER.includes(run.status) && run.errorType !== 'RUNNER_LOST') return { runId, scraperId: run.scraperId };
  return explainRefusal(db, runnerId, runId, 'RUNNING');
}

/** The statuses a runner's completeRun leaves a run in; CANCELLED and a lost run's ERROR are not its doing. */
const COMPLETED_BY_RUNNER: string[] = ['SUCCESS', 'WARNING', 'ERROR'];

export async function cancelRun(db: Database, runId: number): Promise<RunChange> {
  const moved = await finishRun(db.pool, {
    runId,
    status: 'CANCELLED',
    fromStatuses: ['QUEUED', 'RUNNING'],
    runnerId: null,
    errorType: 'CANCELLED',
    errorMessage: 'Cancelled by an admin',
    notify: db.notifyInTransaction,
  });
  return moved ?? explainRefusal(db, null, runId, 'QUEUED or RUNNING');
}

export async function heartbeat(db: Database, runnerId: number, runId: number, leaseSeconds: number): Promise<void> {
  const extended = await extendLease(db.pool, runId, runnerId, leaseSeconds);
  if (!extended) await explainRefusal(db, runnerId, runId, 'RUNNING');
}
