/**
 * The volume a scraper is expected to find, learned from its own history: the median of products
 * found over its last good runs. Good means it ended SUCCESS or WARNING, found products and was not
 * itself a volume drop: a scraper whose runs always end WARNING for another reason (some SKUs fail,
 * a gate holds) still learns, and a drop never lowers the figure the next run is judged against.
 */
import type pg from 'pg';

/** The runs the median is taken over, and how many it needs before it says anything. */
const LEARNED_VOLUME_RUNS = 10;
const MIN_RUNS_TO_LEARN = 3;

const LEARNED_VOLUME = `
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY products_found) AS median, count(*) AS runs
  FROM (SELECT products_found
          FROM run
         WHERE scraper_id = $1
           AND id <> $2
           AND status IN ('SUCCESS', 'WARNING')
           AND products_found > 0
           AND NOT warnings @> '[{"reason": "VOLUME_DROP"}]'
         ORDER BY completed_at DESC
         LIMIT $3) good`;

/** The rounded median, or null while the scraper has fewer than MIN_RUNS_TO_LEARN good runs. */
export async function learnedVolume(client: pg.ClientBase, scraperId: number, excludingRunId: number): Promise<number | null> {
  const { rows } = await client.query<{ median: number | null; runs: number }>({
    name: 'learned_volume',
    text: LEARNED_VOLUME,
    values: [scraperId, excludingRunId, LEARNED_VOLUME_RUNS],
  });
  const { median, runs } = rows[0]!;
  return runs >= MIN_RUNS_TO_LEARN && median !== null ? Math.round(median) : null;
}
