/**
 * How many products a filter selects, cheap enough to ask on every page: counted exactly up to
 * EXACT_COUNT_LIMIT rows (a bounded scan, fast along any index the filter uses), and beyond that
 * the planner's estimate for the same filter (exact: false), which at 1,000,000 products costs a
 * plan instead of a full count.
 */
import type pg from 'pg';
import { productFilterSql, type ProductFilter } from '../productFilter.ts';

export const EXACT_COUNT_LIMIT = 10_000;

export type ProductCount = { totalCount: number; exact: boolean };

/** `moreThan`: what reading the page already proved matches (more than that many), so as not to walk them twice. */
export async function countProducts(db: pg.Pool | pg.ClientBase, filter: ProductFilter | null | undefined, moreThan: number | null = null): Promise<ProductCount> {
  const values: unknown[] = [];
  const where = productFilterSql(filter, values);
  const counted =
    moreThan !== null && moreThan >= EXACT_COUNT_LIMIT
      ? moreThan + 1
      : (
          await db.query<{ n: number }>({
            text: `SELECT count(*)::int AS n FROM (SELECT 1 FROM product p WHERE ${where} LIMIT ${EXACT_COUNT_LIMIT + 1}) bounded`,
            values,
          })
        ).rows[0]!.n;
  if (counted <= EXACT_COUNT_LIMIT) return { totalCount: counted, exact: true };
  const plan = await db.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>({
    text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM product p WHERE ${where}`,
    values,
  });
  const estimate = Math.round(plan.rows[0]!['QUERY PLAN'][0]!.Plan['Plan Rows']);
  // More than were counted, whatever the statistics say.
  return { totalCount: Math.max(estimate, counted), exact: false };
}
