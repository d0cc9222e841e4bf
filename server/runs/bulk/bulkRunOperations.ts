/** Triggering many scrapers and retrying many failed runs at once, answered per item (see eachItem). */
import type { Database } from '../../db/database.ts';
import { NotFoundError } from '../../domainErrors.ts';
import { eachItem, type ItemOutcome } from '../../eachItem.ts';
import { withTransaction } from '../../db/withTransaction.ts';
import { RunAlreadyRetriedError, RunInProgressError, RunStateError, ScraperDisabledError } from '../errors.ts';
import { triggerRun, type IfActive } from '../runOperations.ts';
import { enqueueRetry, readFailedRun } from '../sql/enqueueRetry.ts';
import { lockScraperRuns } from '../sql/lockScraperRuns.ts';
import type { RunChange } from '../sql/notifyRunUpdated.ts';

/** Each scraper as triggerRun triggers it by hand, with the same overlap rule. */
export function triggerRuns(db: Database, scraperIds: readonly number[], ifActive: IfActive): Promise<Map<number, ItemOutcome<RunChange>>> {
  return eachItem(scraperIds, (id) => triggerRun(db, id, 'MANUAL', ifActive), [NotFoundError, ScraperDisabledError, RunInProgressError]);
}

export function retryRuns(db: Database, runIds: readonly number[]): Promise<Map<number, ItemOutcome<RunChange>>> {
  return eachItem(runIds, (id) => retryRun(db, id), [NotFoundError, ScraperDisabledError, RunInProgressError, RunStateError, RunAlreadyRetriedError]);
}

/**
 * Retries a run that ended in ERROR (a lost run included) once: a new QUEUED run of its scraper,
 * triggered MANUAL, one retry further than the run. A person asked for it, so the scraper's
 * maxRetries does not limit it; the overlap rule does (nothing is queued while a run of the
 * scraper is queued or running). A CANCELLED run was stopped on purpose and is not retried.
 */
async function retryRun(db: Database, runId: number): Promise<RunChange> {
  return withTransaction(db.pool, async (client) => {
    const found = await readFailedRun(client, runId);
    if (!found) throw new NotFoundError('Run', String(runId));
    if (found.status !== 'ERROR') throw new RunStateError(runId, found.status, 'ERROR');
    const scraper = await lockScraperRuns(client, found.scraperId);
    if (!scraper) throw new NotFoundError('Scraper', String(found.scraperId));
    if (!scraper.enabled) throw new ScraperDisabledError(found.scraperId);
    // Read again under the scraper's lock: a retry queued meanwhile (by hand or by the scheduler) is now visible.
    const run = (await readFailedRun(client, runId))!;
    if (run.retryRunId !== null) throw new RunAlreadyRetriedError(runId, run.retryRunId);
    const blocking = scraper.active[0];
    if (blocking) throw new RunInProgressError(run.scraperId, blocking.id, blocking.status);
    const retryId = await enqueueRetry(client, run, db.notifyInTransaction);
    if (retryId === null) {
      const retried = await readFailedRun(client, runId);
      throw new RunAlreadyRetriedError(runId, retried!.retryRunId!);
    }
    return { runId: retryId, scraperId: run.scraperId };
  });
}
