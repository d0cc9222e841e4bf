/**
 * Locks a runner's RUNNING run for its completion and reads what judging it needs: its scraper's
 * definition and source. A product batch of the run still being stored holds a share lock, so the
 * completion waits for it, and batches arriving later find the run ended.
 */
import type pg from 'pg';
import type { ScraperIdentity } from '../../../contract/definitionSchema.ts';

export type RunToComplete = ScraperIdentity & { runId: number; scraperId: number; sourceId: number; config: unknown };

/** null when the run is not RUNNING for that runner (ended already, cancelled, lost, or not its own). */
export async function lockRunForCompletion(client: pg.ClientBase, runId: number, runnerId: number): Promise<RunToComplete | null> {
  const { rows } = await client.query<{ scraperId: number; sourceId: number; slug: string; name: string; config: unknown; sourceName: string; sourceUrl: string }>({
    name: 'lock_run_for_completion',
    text: `SELECT sc.id AS "scraperId", sc.source_id AS "sourceId", sc.slug, sc.name, sc.config, so.name AS "sourceName", so.url AS "sourceUrl"
             FROM run r
             JOIN scraper sc ON sc.id = r.scraper_id
             JOIN source so ON so.id = sc.source_id
            WHERE r.id = $1 AND r.status = 'RUNNING' AND r.runner_id = $2
              FOR UPDATE OF r`,
    values: [runId, runnerId],
  });
  const row = rows[0];
  if (!row) return null;
  return {
    runId,
    scraperId: row.scraperId,
    sourceId: row.sourceId,
    config: row.config,
    slug: row.slug,
    name: row.name,
    source: { name: row.sourceName, url: row.sourceUrl },
  };
}
