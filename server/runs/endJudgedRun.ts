/**
 * Ends a runner's run with its verdict, in one transaction: measures its own products, judges its
 * volume and gates, stores the outcome, marks the products a complete listing no longer had as gone,
 * publishes or holds its products, moves its source's freshness when it delivered, counts it into the
 * trends of its scraper and source, and lets the alert rules judge it, all committed together or not at all.
 */
import type pg from 'pg';
import { alertOnRunEnded } from '../alerts/incidents/alertOnRunEnded.ts';
import { storableText } from '../db/storableText.ts';
import { markSourceDelivered } from '../freshness/sql/markSourceDelivered.ts';
import { MIN_PRICES_FOR_OUTLIERS } from '../products/outlierThreshold.ts';
import { raiseRunOutlierFlags } from '../products/sql/raiseRunOutlierFlags.ts';
import { publishRun } from '../publication/publishRun.ts';
import { measureRunQuality } from '../quality/sql/measureRunQuality.ts';
import { runExpectations } from '../scrapers/runExpectations.ts';
import { judgeRun } from '../runVerdict/judgeRun.ts';
import { finishRun } from './sql/finishRun.ts';
import { learnedVolume } from '../runVerdict/sql/learnedVolume.ts';
import { markProductsGone } from '../products/sql/markProductsGone.ts';
import { addRunsToScraperDays } from '../trends/sql/addRunsToScraperDays.ts';
import { putRunOnSourceDay } from '../trends/sql/putRunOnSourceDay.ts';
import { lockRunForCompletion } from './sql/lockRunForCompletion.ts';
import type { RunChange } from './sql/notifyRunUpdated.ts';

export type RunResult = {
  status: 'SUCCESS' | 'WARNING' | 'ERROR';
  productsFound: number;
  productsProcessed: number;
  flagsCreated: number;
  errorMessage?: string | null;
  errorType?: string | null;
  /** The runner read every page of its listing; only then may the run mark products gone. */
  listingComplete?: boolean;
  /** The run's duration as the runner measured it (finishedAt − startedAt on its clock), when it sent both. */
  runnerSeconds?: number | null;
};

export type RunCompletion = RunChange & {
  /** Incidents the run opened, added to or resolved, for the incidentUpdated announcement after commit. */
  incidentIds: number[];
  /** Other runs the completion changed (held runs it superseded), to announce with it. */
  alsoChanged: RunChange[];
};

/** null when the run is not RUNNING for that runner: nothing changed, and the caller tells why. */
export async function endJudgedRun(
  client: pg.ClientBase,
  params: { runnerId: number; runId: number; result: RunResult; notify: boolean },
): Promise<RunCompletion | null> {
  const { runId, result } = params;
  const run = await lockRunForCompletion(client, runId, params.runnerId);
  if (!run) return null;
  const expectations = runExpectations(run);
  await raiseRunOutlierFlags(client, { runId, sourceId: run.sourceId, minPricesForOutliers: MIN_PRICES_FOR_OUTLIERS });
  // The flags the run's product reports raised are the truth; the runner's own count is not trusted.
  const { rows } = await client.query<{ flags: number }>({ name: 'count_run_flags', text: `SELECT count(*) AS flags FROM flag WHERE run_id = $1`, values: [runId] });
  const flagsCreated = rows[0]!.flags;
  const quality = await measureRunQuality(client, { runId, sourceId: run.sourceId, scrapedFields: expectations.scrapedFields, minPricesForOutliers: MIN_PRICES_FOR_OUTLIERS });
  const learned = expectations.minProducts === null ? await learnedVolume(client, run.scraperId, runId) : null;
  const verdict = judgeRun(result, { flagsCreated, quality, learnedVolume: learned }, expectations);

  const moved = await finishRun(client, {
    runId,
    status: verdict.status,
    fromStatuses: ['RUNNING'],
    runnerId: params.runnerId,
    productsFound: result.productsFound,
    productsProcessed: result.productsProcessed,
    flagsCreated,
    // What the runner caught from the web: stored, with U+FFFD for what PostgreSQL cannot hold.
    errorMessage: result.errorMessage == null ? result.errorMessage : storableText(result.errorMessage),
    errorType: result.errorType == null ? result.errorType : storableText(result.errorType),
    runnerSeconds: result.runnerSeconds,
    notify: params.notify,
    warnings: verdict.warnings,
    expectedProducts: verdict.expectedProducts,
    quality,
    publication: verdict.publication,
  });
  if (!moved) throw new Error(`run ${runId} was locked as RUNNING but did not move`);
  // Only the transaction that moved the run counts it: a retried completion finds it ended and counts nothing.
  await addRunsToScraperDays(client, [runId]);
  await putRunOnSourceDay(client, runId);
  // The server's verdict decides, not the runner's: a run judged WARNING (no products, a volume drop, a
  // broken gate) may have read a broken page, and must not empty the catalogue.
  const listingComplete = result.listingComplete === true;
  await markProductsGone(client, { scraperId: run.scraperId, runId, listingComplete, markGone: listingComplete && verdict.status === 'SUCCESS' });
  const alsoChanged = verdict.publication === 'PUBLISHED' ? await publishRun(client, { runId, scraperId: run.scraperId, notify: params.notify }) : [];
  if (verdict.delivered) await markSourceDelivered(client, run.sourceId);
  // The run row is final here: the rules read it as it will be committed.
  const incidentIds = await alertOnRunEnded(client, runId);
  return { ...moved, incidentIds, alsoChanged };
}
