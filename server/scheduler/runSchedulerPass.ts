/**
 * One scheduler pass at a given moment: fire the due ticks of every scheduled scraper, take runs
 * whose lease expired as lost, and retry failed runs whose backoff has passed. `now` is a parameter
 * so that tests drive time directly; the engine passes its clock's time, once a minute.
 * Every step is safe to run on several instances at once.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { RunChange } from '../runs/sql/notifyRunUpdated.ts';
import { alertOnRunEnded } from '../alerts/incidents/alertOnRunEnded.ts';
import { concurrencyLimit } from '../db/concurrencyLimit.ts';
import { withTransaction } from '../db/withTransaction.ts';
import { addRunsToScraperDays } from '../trends/sql/addRunsToScraperDays.ts';
import { decideTick } from './decideTick.ts';
import { expireLeases, type ExpiredLease } from './sql/expireLeases.ts';
import { listScheduledScrapers } from './sql/listScheduledScrapers.ts';
import { recordTick, type RecordedTick } from './sql/recordTick.ts';
import { retryFailedRuns, type RetriedRun } from './sql/retryFailedRuns.ts';

/**
 * Scrapers ticked at once. Each tick is a short transaction on its own scraper's row, so ticking them
 * one after another queued the last of a busy minute behind every other's commit (seconds when the
 * database is loaded); four at once leave the rest of the pool to requests.
 */
const TICKS_AT_ONCE = 4;

export type PassOptions = {
  /** A fire time older than this when a pass reaches it counts as missed (the scheduler was down). */
  graceSeconds: number;
  /** The first retry of a failed run waits this long; each next one twice as long. */
  retryBackoffSeconds: number;
  /** Whether the pass's transitions NOTIFY in their transactions (PostgreSQL is the live bus); the default. */
  notifyInTransaction?: boolean;
};

export type PassResult = {
  ticks: RecordedTick[];
  expired: ExpiredLease[];
  retried: RetriedRun[];
  /** Every run the pass queued or ended, for a live bus that is told after commit. */
  changed: RunChange[];
  /** The incidents the runs it took as lost opened or added to. */
  incidents: number[];
};

export async function runSchedulerPass(pool: pg.Pool, logger: Logger, now: Date, options: PassOptions): Promise<PassResult> {
  const notify = options.notifyInTransaction ?? true;
  const tickOne = concurrencyLimit(TICKS_AT_ONCE);
  const recorded = await Promise.all(
    (await listScheduledScrapers(pool)).map((scraper) =>
      tickOne(async () => {
        try {
          // A cheap look without locks; recordTick decides again on the locked row.
          if (!decideTick(scraper, now, options.graceSeconds)) return null;
          return await recordTick(pool, scraper.id, now, options.graceSeconds, notify);
        } catch (error) {
          // One scraper's bad row (an expression written around the input rules) must not stop the others.
          logger.error({ err: error, scraperId: scraper.id }, 'scheduler could not tick scraper');
          return null;
        }
      }),
    ),
  );
  const ticks = recorded.filter((tick): tick is RecordedTick => tick !== null);
  // A lost run ends ERROR like a failed one, and is counted into its scraper's trends and judged by the
  // alert rules in the same transaction.
  const { expired, incidents } = await withTransaction(pool, async (client) => {
    const lost = await expireLeases(client, now, notify);
    await addRunsToScraperDays(client, lost.map(({ runId }) => runId));
    const changedIncidents: number[] = [];
    for (const { runId } of lost) changedIncidents.push(...(await alertOnRunEnded(client, runId)));
    return { expired: lost, incidents: changedIncidents };
  });
  const retried = await retryFailedRuns(pool, now, options.retryBackoffSeconds, notify);
  if (ticks.length + expired.length + retried.length > 0) {
    logger.info({ at: now.toISOString(), ticks, expired, retried }, 'scheduler pass');
  }
  const changed: RunChange[] = [
    ...ticks.flatMap(({ runId, scraperId }) => (runId === null ? [] : [{ runId, scraperId }])),
    ...expired.flatMap(({ runId, retryRunId, scraperId }) => [{ runId, scraperId }, ...(retryRunId === null ? [] : [{ runId: retryRunId, scraperId }])]),
    ...retried.map(({ runId, scraperId }) => ({ runId, scraperId })),
  ];
  return { ticks, expired, retried, changed, incidents };
}
