/**
 * A run's own quality summary, measured over the products it stored (product.run_id): how many lack
 * each field the definition scrapes, how many are priced outside their category's fences, and how
 * many repeat another product's name and brand. The fences and the repeats are judged against the
 * source's whole catalogue, as the flags are; unlike the flags (one per product and kind), the
 * summary counts a problem on every run that still has it.
 */
import type pg from 'pg';
import type { OptionalField } from '../../../contract/product.ts';
import { OUTSIDE_FENCES, priceFencesSql } from './priceFences.ts';

export type FieldMissingCount = { field: OptionalField; missing: number; percent: number };

export type RunQuality = { productCount: number; missingFields: FieldMissingCount[]; outliers: number; duplicates: number };

const MEASURE_RUN_QUALITY = `
WITH run_products AS (
  SELECT id, source_id, name, brand, category, price, thc_percent, cbd_percent, url
    FROM product
   WHERE run_id = $1
), fences AS (${priceFencesSql('fp.source_id = $2 AND fp.category IN (SELECT category FROM run_products WHERE category IS NOT NULL AND price IS NOT NULL)', '$3')}
)
SELECT (SELECT count(*) FROM run_products) AS "productCount",
       (SELECT count(*) FROM run_products WHERE thc_percent IS NULL) AS "thcPercent",
       (SELECT count(*) FROM run_products WHERE cbd_percent IS NULL) AS "cbdPercent",
       (SELECT count(*) FROM run_products WHERE brand IS NULL) AS brand,
       (SELECT count(*) FROM run_products WHERE price IS NULL) AS price,
       (SELECT count(*) FROM run_products WHERE category IS NULL) AS category,
       (SELECT count(*) FROM run_products WHERE url IS NULL) AS url,
       (SELECT count(*)
          FROM run_products p
          JOIN fences f ON f.source_id = p.source_id AND f.category = p.category
         WHERE ${OUTSIDE_FENCES}) AS outliers,
       (SELECT count(*)
          FROM run_products b
         WHERE EXISTS (SELECT 1 FROM product o
                        WHERE o.source_id = b.source_id AND o.name = b.name AND o.brand IS NOT DISTINCT FROM b.brand AND o.id <> b.id)) AS duplicates`;

type Row = Record<OptionalField | 'productCount' | 'outliers' | 'duplicates', number>;

export async function measureRunQuality(
  client: pg.ClientBase,
  params: { runId: number; sourceId: number; scrapedFields: OptionalField[]; minPricesForOutliers: number },
): Promise<RunQuality> {
  const { rows } = await client.query<Row>({
    name: 'measure_run_quality',
    text: MEASURE_RUN_QUALITY,
    values: [params.runId, params.sourceId, params.minPricesForOutliers],
  });
  const row = rows[0]!;
  return {
    productCount: row.productCount,
    missingFields: params.scrapedFields.map((field) => ({
      field,
      missing: row[field],
      percent: row.productCount === 0 ? 0 : (100 * row[field]) / row.productCount,
    })),
    outliers: row.outliers,
    duplicates: row.duplicates,
  };
}
