/** Queues a run of a scraper and, on the PostgreSQL bus, announces it. */
import type pg from 'pg';
import { notifyRunUpdatedSql } from './notifyRunUpdated.ts';

export type TriggerSource = 'MANUAL' | 'SCHEDULER' | 'API';

/** The runnerLabels of the definition of scraper $1 (validated when it was stored). */
const DEFINITION_LABELS = `ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(config->'runnerLabels') = 'array' THEN config->'runnerLabels' ELSE '[]' END)
                                FROM scraper WHERE id = $1)`;

export async function enqueueRun(
  db: pg.Pool | pg.PoolClient,
  /**
   * notify: NOTIFY the new run in the statement (the PostgreSQL bus); the default.
   * labels: what a runner must hold to claim it; null takes the definition's runnerLabels.
   */
  params: { scraperId: number; triggeredBy: TriggerSource; retryCount?: number; notify?: boolean; labels?: readonly string[] | null },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>({
    name: 'enqueue_run',
    text: `WITH inserted AS (
             INSERT INTO run (scraper_id, triggered_by, retry_count, required_labels)
             VALUES ($1, $2, $3, COALESCE($5::text[], ${DEFINITION_LABELS}))
             RETURNING id, scraper_id
           )
           SELECT id, ${notifyRunUpdatedSql('inserted', '$4')} FROM inserted`,
    values: [params.scraperId, params.triggeredBy, params.retryCount ?? 0, params.notify ?? true, params.labels ?? null],
  });
  return rows[0]!.id;
}
