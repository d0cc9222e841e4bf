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

// Products are counted per source first and the counts then joined to sources: joining every
// product row to its source before grouping costs twice as much on a large catalogue.
const MISSING_FIELDS = `
WITH per_source AS (
  SELECT source_id,
         count(*) AS products,
         count(*) FILTER (WHERE thc_percent IS NULL) AS missing_thc,
         count(*) FILTER (WHERE cbd_percent IS NULL) AS missing_cbd,
         count(*) FILTER (WHERE brand IS NULL) AS missing_brand
    FROM product
   WHERE $1::int IS NULL OR source_id = $1
   GROUP BY source_id
)
SELECT CASE WHEN grouping(s.id) = 0 THEN s.id END AS "sourceId",
       coalesce(sum(p.products), 0)::int8 AS products,
       coalesce(sum(p.missing_thc), 0)::int8 AS "missingThc",
       coalesce(sum(p.missing_cbd), 0)::int8 AS "missingCbd",
       coalesce(sum(p.missing_brand), 0)::int8 AS "missingBrand"
  FROM source s
  LEFT JOIN per_source p ON p.source_id = s.id
 WHERE $1::int IS NULL OR s.id = $1
 GROUP BY GROUPING SETS ((s.id, s.name), ())
 ORDER BY grouping(s.id) DESC, s.name`;

export async function missingFields(pool: pg.Pool, sourceId: number | null): Promise<MissingFieldsRow[]> {
  const { rows } = await pool.query<MissingFieldsRow>({ name: 'quality_missing_fields', text: MISSING_FIELDS, values: [sourceId] });
  return rows;
}
