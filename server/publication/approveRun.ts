/**
 * An admin approves a run a quality gate held: the values it stored are published after all. Only
 * products that still carry them (product.run_id) are published; a product a later run scraped
 * again carries that run's values, which are that run's to publish (its own values are gone), so
 * approving an older run never overwrites newer published data with stale values.
 */
import type { Database } from '../db/database.ts';
import { withTransaction } from '../db/withTransaction.ts';
import { NotFoundError } from '../domainErrors.ts';
import { markSourceDelivered } from '../freshness/sql/markSourceDelivered.ts';
import type { RunChange } from '../runs/sql/notifyRunUpdated.ts';
import { RunNotHeldError } from './errors.ts';
import { publishRun } from './publishRun.ts';
import { lockRunForApproval } from './sql/lockRunForApproval.ts';
import { lockScraperPublication, scraperOfRun } from './sql/lockScraperPublication.ts';
import { markRunApproved } from './sql/markRunApproved.ts';

/** Returns the approved run and the held runs it superseded, to announce after commit. */
export async function approveRun(db: Database, runId: number): Promise<RunChange[]> {
  return withTransaction(db.pool, async (client) => {
    const scraperId = await scraperOfRun(client, runId);
    if (scraperId === null) throw new NotFoundError('Run', String(runId));
    await lockScraperPublication(client, scraperId);
    const run = await lockRunForApproval(client, runId);
    if (!run) throw new NotFoundError('Run', String(runId));
    if (run.publication !== 'HELD') throw new RunNotHeldError(runId, run.publication);
    const superseded = await publishRun(client, { runId, scraperId: run.scraperId, notify: db.notifyInTransaction });
    const approved = await markRunApproved(client, runId, db.notifyInTransaction);
    // The data is as fresh as when it was scraped, not as when someone approved it.
    if (run.productsFound > 0 && !run.volumeDropped && run.completedAt) await markSourceDelivered(client, run.sourceId, run.completedAt);
    return [approved, ...superseded];
  });
}
