/**
 * Raises the cleanup flags for a batch of just-stored products in one statement: missing fields,
 * prices outside their category's Tukey fences (1.5 × IQR over the source's prices), and products
 * that repeat another SKU's name and brand. A product holds at most one flag of each kind, so a
 * flag a person already dismissed is not raised again.
 */
import type pg from 'pg';

const RAISE_PRODUCT_FLAGS = `
WITH batch AS (
  SELECT id, source_id, sku, name, brand, category, price, thc_percent, cbd_percent
    FROM product
   WHERE id = ANY($3::int[])
), missing AS (
  SELECT id AS product_id, 'MISSING_FIELD'::"FlagKind" AS kind,
         'Missing ' || concat_ws(', ',
           CASE WHEN thc_percent IS NULL THEN 'thcPercent' END,
           CASE WHEN cbd_percent IS NULL THEN 'cbdPercent' END,
           CASE WHEN brand IS NULL THEN 'brand' END,
           CASE WHEN price IS NULL THEN 'price' END) AS detail
    FROM batch
   WHERE thc_percent IS NULL OR cbd_percent IS NULL OR brand IS NULL OR price IS NULL
), quartiles AS (
  SELECT category,
         percentile_cont(0.25) WITHIN GROUP (ORDER BY price) AS q1,
         percentile_cont(0.75) WITHIN GROUP (ORDER BY price) AS q3,
         count(*) AS samples
    FROM product
   WHERE source_id = $2
     AND price IS NOT NULL
     AND category IN (SELECT category FROM batch WHERE category IS NOT NULL AND price IS NOT NULL)
   GROUP BY category
  HAVING count(*) >= $4
), fences AS (
  SELECT category, samples, q1 - 1.5 * (q3 - q1) AS lower_bound, q3 + 1.5 * (q3 - q1) AS upper_bound
    FROM quartiles
), outliers AS (
  SELECT b.id AS product_id, 'PRICE_OUTLIER'::"FlagKind" AS kind,
         format('Price %s is outside %s .. %s for category %s (%s prices)',
                b.price, round(f.lower_bound::numeric, 2), round(f.upper_bound::numeric, 2), b.category, f.samples) AS detail
    FROM batch b
    JOIN fences f ON f.category = b.category
   WHERE b.price < f.lower_bound OR b.price > f.upper_bound
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
  params: { runId: number; sourceId: number; productIds: number[]; minPricesForOutliers: number },
): Promise<number> {
  const { rowCount } = await client.query({
    name: 'raise_product_flags',
    text: RAISE_PRODUCT_FLAGS,
    values: [params.runId, params.sourceId, params.productIds, params.minPricesForOutliers],
  });
  return rowCount ?? 0;
}
