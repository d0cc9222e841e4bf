/**
 * Raises the cleanup flags for a batch of just-stored products in one statement: missing fields
 * (only those the definition scrapes: a field it does not read is not missing), prices that are outliers by the one rule of priceFences.ts, and products
 * that repeat another SKU's name and brand. A product holds at most one flag of each kind, so a
 * flag a person already dismissed is not raised again.
 */
import type pg from 'pg';
import type { OptionalField } from '../../../contract/product.ts';
import { OUTSIDE_FENCES, priceFencesSql } from '../../quality/sql/priceFences.ts';

const RAISE_PRODUCT_FLAGS = `
WITH batch AS (
  SELECT id, source_id, sku, name, brand, category, price, thc_percent, cbd_percent, url
    FROM product
   WHERE id = ANY($3::int[])
), lacking AS (
  SELECT id,
         concat_ws(', ',
           CASE WHEN thc_percent IS NULL AND 'thcPercent' = ANY($5::text[]) THEN 'thcPercent' END,
           CASE WHEN cbd_percent IS NULL AND 'cbdPercent' = ANY($5::text[]) THEN 'cbdPercent' END,
           CASE WHEN brand IS NULL AND 'brand' = ANY($5::text[]) THEN 'brand' END,
           CASE WHEN price IS NULL AND 'price' = ANY($5::text[]) THEN 'price' END,
           CASE WHEN category IS NULL AND 'category' = ANY($5::text[]) THEN 'category' END,
           CASE WHEN url IS NULL AND 'url' = ANY($5::text[]) THEN 'url' END) AS fields
    FROM batch
), missing AS (
  SELECT id AS product_id, 'MISSING_FIELD'::"FlagKind" AS kind, 'Missing ' || fields AS detail
    FROM lacking
   WHERE fields <> ''
), fences AS (${priceFencesSql('fp.source_id = $2 AND fp.category IN (SELECT category FROM batch WHERE category IS NOT NULL AND price IS NOT NULL)', '$4')}
), outliers AS (
  SELECT p.id AS product_id, 'PRICE_OUTLIER'::"FlagKind" AS kind,
         format('Price %s is outside %s .. %s for category %s (%s prices)',
                p.price, round(f.lower_bound::numeric, 2), round(f.upper_bound::numeric, 2), p.category, f.samples) AS detail
    FROM batch p
    JOIN fences f ON f.source_id = p.source_id AND f.category = p.category
   WHERE ${OUTSIDE_FENCES}
), duplicates AS (
  SELECT b.id AS product_id, 'DUPLICATE'::"FlagKind" AS kind,
         'Same name and brand as SKU ' || string_agg(o.sku, ', ' ORDER BY o.sku) AS detail
    FROM batch b
    JOIN product o ON o.source_id = b.source_id AND o.name = b.name AND o.brand IS NOT DISTINCT FROM b.brand AND o.id <> b.id
   GROUP BY b.id
)
INSERT INTO flag (kind, product_id, run_id, detail)
SELECT kind, product_id, $1, detail
  FROM (SELECT * FROM missing UNION ALL SELECT * FROM outliers UNION ALL SELECT * FROM duplicates) raised
    ON CONFLICT (product_id, kind) DO NOTHING
RETURNING id`;

/** Returns how many flags were raised (flags that already existed are not counted). */
export async function raiseProductFlags(
  client: pg.ClientBase,
  params: { runId: number; sourceId: number; productIds: number[]; scrapedFields: OptionalField[]; minPricesForOutliers: number },
): Promise<number> {
  const { rowCount } = await client.query({
    name: 'raise_product_flags',
    text: RAISE_PRODUCT_FLAGS,
    values: [params.runId, params.sourceId, params.productIds, params.minPricesForOutliers, params.scrapedFields],
  });
  return rowCount ?? 0;
}
