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

const PRICE_OUTLIERS = `
WITH scoped AS (
  SELECT id, category, price
    FROM product
   WHERE price IS NOT NULL AND category IS NOT NULL AND ($1::int IS NULL OR source_id = $1)
), quartiles AS (
  SELECT category,
         percentile_cont(0.25) WITHIN GROUP (ORDER BY price) AS q1,
         percentile_cont(0.75) WITHIN GROUP (ORDER BY price) AS q3
    FROM scoped
   GROUP BY category
  HAVING count(*) >= $2
), fences AS (
  SELECT category, q1, q3, q1 - 1.5 * (q3 - q1) AS lower_bound, q3 + 1.5 * (q3 - q1) AS upper_bound
    FROM quartiles
)
SELECT s.id AS "productId", s.category, s.price, f.q1, f.q3, f.lower_bound AS "lowerBound", f.upper_bound AS "upperBound"
  FROM scoped s
  JOIN fences f ON f.category = s.category
 WHERE s.price < f.lower_bound OR s.price > f.upper_bound
 ORDER BY s.category, s.price DESC, s.id
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
