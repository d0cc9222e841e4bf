/** Queues a run of a scraper and announces it. */
import type pg from 'pg';
import { notifyRunUpdatedSql } from './notifyRunUpdated.ts';

export type TriggerSource = 'MANUAL' | 'SCHEDULER' | 'API';

export async function enqueueRun(
  db: pg.Pool | pg.PoolClient,
  params: { scraperId: number; triggeredBy: TriggerSource; retryCount?: number },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>({
    name: 'enqueue_run',
    text: `WITH inserted AS (
             INSERT INTO run (scraper_id, triggered_by, retry_count) VALUES ($1, $2, $3)
             RETURNING id, scraper_id
           )
           SELECT id, ${notifyRunUpdatedSql('inserted')} FROM inserted`,
    values: [params.scraperId, params.triggeredBy, params.retryCount ?? 0],
  });
  return rows[0]!.id;
}
