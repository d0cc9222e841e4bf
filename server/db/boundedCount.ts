/**
 * Counting rows cheaply enough to do on every page: exact while the rows an index range selects are
 * few enough to walk, the planner's estimate beyond, so that the cost of a count has a bound
 * whatever the table holds. Connections' totalCount is built on it.
 */
import type pg from 'pg';

/** How many rows a count walks before it settles for an estimate. */
export const COUNT_EXACT_UP_TO = 10_000;

export type RowCount = { count: number; exact: boolean };

type BoundedCountQuery = {
  /** The table, with an alias if the conditions use one. */
  from: string;
  /** The part of the filter an index answers as a range: what is walked, at most `cap` + 1 rows of it. */
  range: string;
  /** The rest of the filter, checked on each row walked; null when the range is the whole filter. */
  rest: string | null;
  /** The parameters both conditions refer to ($1, $2, …). */
  values: unknown[];
  /**
   * How many rows the range holds, when the caller knows it without counting: the estimate is then
   * the share of matches among the rows walked, applied to it, rather than the planner's guess.
   */
  rangeSize?: number;
};

/**
 * Counts the rows matching `range AND rest`: exactly when the range holds at most `cap` rows,
 * otherwise as the planner estimates the whole filter, never below what the walk already found.
 */
export async function boundedCount(db: pg.Pool | pg.PoolClient, query: BoundedCountQuery, cap = COUNT_EXACT_UP_TO): Promise<RowCount> {
  const { from, range, rest, values, rangeSize } = query;
  const limit = `$${values.length + 1}`;
  const { rows } = await db.query<{ walked: number; matched: number }>(
    `SELECT count(*)::int AS walked, count(*) FILTER (WHERE hit)::int AS matched
       FROM (SELECT ${rest ?? 'true'} AS hit FROM ${from} WHERE ${range} LIMIT ${limit}) walked`,
    [...values, cap + 1],
  );
  const { walked, matched } = rows[0]!;
  if (walked <= cap) return { count: matched, exact: true };
  if (rangeSize !== undefined) return { count: Math.max(Math.round((matched / walked) * rangeSize), matched), exact: false };
  const estimate = await plannerEstimate(db, `SELECT 1 FROM ${from} WHERE ${range}${rest ? ` AND ${rest}` : ''}`, values);
  // Rows the walk found exist for sure; without a further condition, so do all cap + 1 walked.
  return { count: Math.max(estimate, matched), exact: false };
}

/** The number of rows the planner expects a query to return (its plan's top node), without running it. */
async function plannerEstimate(db: pg.Pool | pg.PoolClient, sql: string, values: unknown[]): Promise<number> {
  const { rows } = await db.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, values);
  return Math.round(rows[0]!['QUERY PLAN'][0]!.Plan['Plan Rows']);
}
