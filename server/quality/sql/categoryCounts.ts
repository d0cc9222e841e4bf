/** How many products each category holds, largest first; products without a category count under null. */
import type pg from 'pg';

export type CategoryCountRow = { category: string | null; count: number };

export async function categoryCounts(pool: pg.Pool, sourceId: number | null): Promise<CategoryCountRow[]> {
  const { rows } = await pool.query<CategoryCountRow>({
    name: 'quality_category_counts',
    text: `SELECT category, count(*) AS count
             FROM product
            WHERE $1::int IS NULL OR source_id = $1
            GROUP BY category
            ORDER BY count(*) DESC, category NULLS LAST`,
    values: [sourceId],
  });
  return rows;
}
