/** Publishes a run's products and retires the held runs it makes obsolete, in the caller's transaction. */
import type pg from 'pg';
import type { RunChange } from '../runs/sql/notifyRunUpdated.ts';
import { lockScraperPublication } from './sql/lockScraperPublication.ts';
import { publishRunProducts } from './sql/publishRunProducts.ts';
import { supersedeHeldRuns } from './sql/supersedeHeldRuns.ts';

/** Returns the other runs it changed (now SUPERSEDED), for the caller to announce after commit. */
export async function publishRun(client: pg.ClientBase, params: { runId: number; scraperId: number; notify: boolean }): Promise<RunChange[]> {
  await lockScraperPublication(client, params.scraperId);
  await publishRunProducts(client, params.runId);
  return supersedeHeldRuns(client, { scraperId: params.scraperId, publishedRunId: params.runId, notify: params.notify });
}
