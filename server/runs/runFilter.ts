/**
 * The one definition of which runs a RunFilter selects: as a Prisma condition for the runs page and
 * as SQL for its totalCount, kept side by side so that the two cannot drift apart.
 */
import type pg from 'pg';
import type { Prisma } from '../db/generated/prisma/client.ts';
import type { RunStatus, TriggeredBy } from '../db/generated/prisma/enums.ts';
import { boundedCount, COUNT_EXACT_UP_TO, type RowCount } from '../db/boundedCount.ts';

export interface RunFilter {
  scraperId?: number | null;
  status?: RunStatus | null;
  triggeredBy?: TriggeredBy | null;
  /** Runs queued at or after this time. */
  since?: Date | null;
}

export function runFilterWhere(filter: RunFilter | null | undefined): Prisma.RunWhereInput {
  return {
    scraperId: filter?.scraperId ?? undefined,
    status: filter?.status ?? undefined,
    triggeredBy: filter?.triggeredBy ?? undefined,
    queuedAt: filter?.since ? { gte: filter.since } : undefined,
  };
}

/**
 * How many runs the filter selects. The rows walked are those of one index range: scraper and
 * status together (run_scraper_id_status_completed_at_idx) when both are given and since is not,
 * else the first given of scraper, status and triggeredBy, with since, along its (…, queued_at)
 * index, or every run queued since `since` (or at all). Exact while that range holds at most
 * COUNT_EXACT_UP_TO runs; beyond, the planner's estimate.
 */
export function countRuns(db: pg.Pool, filter: RunFilter | null | undefined, cap = COUNT_EXACT_UP_TO): Promise<RowCount> {
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const equalities: Array<[string, unknown]> = [];
  if (filter?.scraperId != null) equalities.push(['scraper_id', filter.scraperId]);
  if (filter?.status != null) equalities.push(['status', filter.status]);
  if (filter?.triggeredBy != null) equalities.push(['triggered_by', filter.triggeredBy]);
  const since = filter?.since ? `queued_at >= ${param(filter.since)}` : null;
  const pairCovered = equalities.length >= 2 && equalities[0]![0] === 'scraper_id' && equalities[1]![0] === 'status' && !since;
  const walkedEqualities = equalities.slice(0, pairCovered ? 2 : 1);
  const checkedEqualities = equalities.slice(walkedEqualities.length);
  const condition = ([column, value]: [string, unknown]) => `${column} = ${param(value)}`;
  const range = [...walkedEqualities.map(condition), ...(since ? [since] : [])];
  const rest = checkedEqualities.map(condition);
  return boundedCount(
    db,
    { from: 'run', range: range.length ? range.join(' AND ') : 'true', rest: rest.length ? rest.join(' AND ') : null, values },
    cap,
  );
}
