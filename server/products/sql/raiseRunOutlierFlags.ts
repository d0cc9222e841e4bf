/**
 * Raises the price-outlier flags a run's products deserve once its whole catalogue is stored: a flag
 * raised batch by batch saw only the prices stored so far, so a run ends by judging its products
 * again against the fences Data quality shows. Flags that already exist (or were dismissed) stay.
 */
import type pg from 'pg';
import { OUTSIDE_FENCES, priceFencesSql } from '../../quality/sql/priceFences.ts';

const RAISE_RUN_OUTLIER_FLAGS = `
WITH fences AS (${priceFencesSql('fp.source_id = $2', '$3')})
INSERT INTO flag (kind, product_id, run_id, detail)
SELECT 'PRICE_OUTLIER'::"FlagKind", p.id, $1,
       format('Price %s is outside %s .. %s for category %s (%s prices)',
              p.price, round(f.lower_bound::numeric, 2), round(f.upper_bound::numeric, 2), p.category, f.samples)
  FROM product p
  JOIN fences f ON f.source_id = p.source_id AND f.category = p.category
 WHERE p.run_id = $1 AND ${OUTSIDE_FENCES}
    ON CONFLICT (product_id, kind) DO NOTHING
RETURNING id`;

/** Returns how many flags were raised. */
export async function raiseRunOutlierFlags(
  client: pg.ClientBase,
  params: { runId: number; sourceId: number; minPricesForOutliers: number },
): Promise<number> {
  const { rowCount } = await client.query({
    name: 'raise_run_outlier_flags',
    text: RAISE_RUN_OUTLIER_FLAGS,
    values: [params.runId, params.sourceId, params.minPricesForOutliers],
  });
  return rowCount ?? 0;
}
