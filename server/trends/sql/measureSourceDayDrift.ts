/**
 * Scores how far a source's category distribution on a day moved from the 7 days before it: the
 * Jensen–Shannon divergence (log base 2, so 0..1) between the day's shares and the shares of the
 * summed distributions of the days before, and the 5 categories whose share changed most. JSD rather than PSI:
 * it is symmetric, bounded, and a category present on one side only needs no smoothing (see docs/trends.md).
 */
import type pg from 'pg';

export async function measureSourceDayDrift(client: pg.ClientBase, sourceId: number, day: string): Promise<void> {
  await client.query({
    name: 'measure_source_day_drift',
    text: `WITH on_day AS (
             SELECT c.key AS category, c.value::float8 AS n
               FROM source_day sd, jsonb_each_text(sd.categories) AS c
              WHERE sd.source_id = $1 AND sd.day = $2::date
           ), earlier AS (
             SELECT c.key AS category, sum(c.value::float8) AS n
               FROM source_day sd, jsonb_each_text(sd.categories) AS c
              WHERE sd.source_id = $1 AND sd.day >= $2::date - 7 AND sd.day < $2::date
              GROUP BY c.key
           ), totals AS (
             SELECT (SELECT sum(n) FROM on_day) AS now_total, (SELECT sum(n) FROM earlier) AS before_total
           ), shares AS (
             SELECT coalesce(on_day.category, earlier.category) AS category,
                    coalesce(on_day.n, 0) / totals.now_total AS p,
                    coalesce(earlier.n, 0) / totals.before_total AS q
               FROM on_day FULL JOIN earlier ON earlier.category = on_day.category
              CROSS JOIN totals
              WHERE totals.now_total > 0 AND totals.before_total > 0
           ), divergence AS (
             -- 0 log 0 = 0: a category on one side only contributes through the other side's term.
             SELECT CASE WHEN count(*) > 0 THEN
                      least(greatest(sum(CASE WHEN p > 0 THEN 0.5 * p * ln(2 * p / (p + q)) ELSE 0 END
                                       + CASE WHEN q > 0 THEN 0.5 * q * ln(2 * q / (p + q)) ELSE 0 END) / ln(2), 0), 1)
                    END AS drift
               FROM shares
           ), moved AS (
             SELECT coalesce(jsonb_agg(jsonb_build_object('category', category, 'share', p, 'trailingShare', q)
                                       ORDER BY abs(p - q) DESC, category), '[]') AS categories
               FROM (SELECT * FROM shares ORDER BY abs(p - q) DESC, category LIMIT 5) AS top
           )
           UPDATE source_day
              SET drift = (SELECT drift FROM divergence), drift_categories = (SELECT categories FROM moved)
            WHERE source_id = $1 AND day = $2::date`,
    values: [sourceId, day],
  });
}
