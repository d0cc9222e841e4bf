/**
 * The one definition of a price outlier, read by Data quality, by the cleanup flags and by a run's
 * quality summary: a price below Q1 − 1.5 × IQR or above Q3 + 1.5 × IQR of the prices of its
 * category within its source (quartiles by percentile_cont), judged only in a category with at least
 * MIN_PRICES_FOR_OUTLIERS prices. Each reader embeds the same CTE so the fences cannot drift apart.
 */
import { MIN_PRICES_FOR_OUTLIERS } from '../../products/outlierThreshold.ts';

/** The rule in words, for the schema and the admin. */
export const PRICE_OUTLIER_RULE =
  `A price is an outlier when it lies outside its category's expected range within its source: ` +
  `from Q1 − 1.5 × IQR to Q3 + 1.5 × IQR of that category's prices (IQR = Q3 − Q1). ` +
  `Categories with fewer than ${MIN_PRICES_FOR_OUTLIERS} prices have no range.`;

/**
 * A CTE body yielding source_id, category, samples, q1, q3, lower_bound and upper_bound, one row per
 * source and category that holds enough prices. `where` narrows the products read (a source, the
 * categories of a batch), written against the alias `fp`; `minSamples` is a placeholder such as `$2`.
 */
export function priceFencesSql(where: string, minSamples: string): string {
  return `
  SELECT source_id, category, samples, q1, q3, q1 - 1.5 * (q3 - q1) AS lower_bound, q3 + 1.5 * (q3 - q1) AS upper_bound
    FROM (SELECT fp.source_id, fp.category, count(*) AS samples,
                 percentile_cont(0.25) WITHIN GROUP (ORDER BY fp.price) AS q1,
                 percentile_cont(0.75) WITHIN GROUP (ORDER BY fp.price) AS q3
            FROM product fp
           WHERE fp.price IS NOT NULL AND fp.category IS NOT NULL AND (${where})
           GROUP BY fp.source_id, fp.category
          HAVING count(*) >= ${minSamples}) quartiles`;
}

/** Whether the price of `p` lies outside the fences `f` (both aliases of the caller's query). */
export const OUTSIDE_FENCES = `(p.price < f.lower_bound OR p.price > f.upper_bound)`;
