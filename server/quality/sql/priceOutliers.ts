/**
 * Products whose price lies outside Tukey's fences of their category: below Q1 − 1.5 × IQR or above
 * Q3 + 1.5 × IQR, quartiles by percentile_cont over the priced products in scope. A category with
 * fewer than minSamples prices has no fences.
 */
import type pg from 'pg';

export type PriceOutlierRow = {
  productId: number;
  category: string;
  price: number;
  q1: number;
  q3: number;
  lowerBound: number;
  upperBound: number;
};

// Both reads of product are written out rather than shared through a CTE, which PostgreSQL would
// materialise: read straight from product, the quartiles come in price order from
// product (category, price) and the outer LIMIT stops early.
const PRICE_OUTLIERS = `
WITH quartiles AS (
  SELECT category,
         percentile_cont(0.25) WITHIN GROUP (ORDER BY price) AS q1,
         percentile_cont(0.75) WITHIN GROUP (ORDER BY price) AS q3
    FROM product
   WHERE price IS NOT NULL AND category IS NOT NULL AND ($1::int IS NULL OR source_id = $1)
   GROUP BY category
  HAVING count(*) >= $2
), fences AS (
  SELECT category, q1, q3, q1 - 1.5 * (q3 - q1) AS lower_bound, q3 + 1.5 * (q3 - q1) AS upper_bound
    FROM quartiles
)
SELECT p.id AS "productId", p.category, p.price, f.q1, f.q3, f.lower_bound AS "lowerBound", f.upper_bound AS "upperBound"
  FROM product p
  JOIN fences f ON f.category = p.category
 WHERE (p.price < f.lower_bound OR p.price > f.upper_bound) AND ($1::int IS NULL OR p.source_id = $1)
 ORDER BY p.category, p.price DESC, p.id
 LIMIT $3`;

export async function priceOutliers(
  pool: pg.Pool,
  params: { sourceId: number | null; minSamples: number; limit: number },
): Promise<PriceOutlierRow[]> {
  const { rows } = await pool.query<PriceOutlierRow>({
    name: 'quality_price_outliers',
    text: PRICE_OUTLIERS,
    values: [params.sourceId, params.minSamples, params.limit],
  });
  return rows;
}
