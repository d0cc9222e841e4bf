/** Counts products missing THC, CBD or brand, per source and over all sources, in one grouped statement. */
import type pg from 'pg';

export type MissingFieldsRow = {
  /** null on the row that sums every source in scope. */
  sourceId: number | null;
  products: number;
  missingThc: number;
  missingCbd: number;
  missingBrand: number;
};

const MISSING_FIELDS = `
SELECT CASE WHEN grouping(s.id) = 0 THEN s.id END AS "sourceId",
       count(p.id) AS products,
       count(p.id) FILTER (WHERE p.thc_percent IS NULL) AS "missingThc",
       count(p.id) FILTER (WHERE p.cbd_percent IS NULL) AS "missingCbd",
       count(p.id) FILTER (WHERE p.brand IS NULL) AS "missingBrand"
  FROM source s
  LEFT JOIN product p ON p.source_id = s.id
 WHERE $1::int IS NULL OR s.id = $1
 GROUP BY GROUPING SETS ((s.id, s.name), ())
 ORDER BY grouping(s.id) DESC, s.name`;

export async function missingFields(pool: pg.Pool, sourceId: number | null): Promise<MissingFieldsRow[]> {
  const { rows } = await pool.query<MissingFieldsRow>({ name: 'quality_missing_fields', text: MISSING_FIELDS, values: [sourceId] });
  return rows;
}
