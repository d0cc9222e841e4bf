/**
 * The last `days` UTC days of a source's rollup, today included: one row per day, days without a
 * delivery as nulls. Reads only the window's rollup rows (by primary key).
 */
import type pg from 'pg';

export type FieldCount = { field: string; count: number };
export type CategoryMove = { category: string; share: number; trailingShare: number };

export type SourceTrendDayRow = {
  day: string;
  products: number | null;
  missing: FieldCount[] | null;
  categories: Record<string, number> | null;
  outliers: number | null;
  drift: number | null;
  driftCategories: CategoryMove[] | null;
};

export async function readSourceTrends(pool: pg.Pool, sourceId: number, days: number): Promise<SourceTrendDayRow[]> {
  const { rows } = await pool.query<SourceTrendDayRow>({
    name: 'read_source_trends',
    text: `SELECT (w.today - k.n)::text AS day, sd.products, sd.missing, sd.categories, sd.outliers, sd.drift,
                  sd.drift_categories AS "driftCategories"
             FROM (SELECT (now() AT TIME ZONE 'UTC')::date AS today) AS w
            CROSS JOIN generate_series(0, $2::int - 1) AS k(n)
             LEFT JOIN LATERAL (SELECT * FROM source_day d WHERE d.source_id = $1 AND d.day = w.today - k.n) AS sd ON true
            ORDER BY k.n DESC`,
    values: [sourceId, days],
  });
  return rows;
}
