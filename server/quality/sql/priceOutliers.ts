/** Products whose price is an outlier by the one rule of priceFences.ts, in one source or in all. */
import type pg from 'pg';
import { OUTSIDE_FENCES, priceFencesSql } from './priceFences.ts';

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
WITH fences AS (${priceFencesSql('$1::int IS NULL OR fp.source_id = $1', '$2')})
SELECT p.id AS "productId", p.category, p.price, f.q1, f.q3, f.lower_bound AS "lowerBound", f.upper_bound AS "upperBound"
  FROM product p
  JOIN fences f ON f.source_id = p.source_id AND f.category = p.category
 WHERE ${OUTSIDE_FENCES} AND ($1::int IS NULL OR p.source_id = $1)
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
