/** Queues a run of a scraper and, on the PostgreSQL bus, announces it. */
import type pg from 'pg';
import { notifyRunUpdatedSql } from './notifyRunUpdated.ts';

export type TriggerSource = 'MANUAL' | 'SCHEDULER' | 'API';

export async function enqueueRun(
  db: pg.Pool | pg.PoolClient,
  /** notify: NOTIFY the new run in the statement (the PostgreSQL bus); the default. */
  params: { scraperId: number; triggeredBy: TriggerSource; retryCount?: number; notify?: boolean },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>({
    name: 'enqueue_run',
    text: `WITH inserted AS (
             INSERT INTO run (scraper_id, triggered_by, retry_count) VALUES ($1, $2, $3)
             RETURNING id, scraper_id
           )
           SELECT id, ${notifyRunUpdatedSql('inserted', '$4')} FROM inserted`,
    values: [params.scraperId, params.triggeredBy, params.retryCount ?? 0, params.notify ?? true],
  });
  return rows[0]!.id;
}
