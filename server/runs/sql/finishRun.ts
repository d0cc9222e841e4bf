/** Moves a run to a final state (completed by its runner, or cancelled) and, on the PostgreSQL bus, announces it. */
import type pg from 'pg';
import type { RunQuality } from '../../quality/sql/measureRunQuality.ts';
import type { RunWarning } from '../runWarnings.ts';
import { notifyRunUpdatedSql, type RunChange } from './notifyRunUpdated.ts';

type FinalStatus = 'SUCCESS' | 'WARNING' | 'ERROR' | 'CANCELLED';

export type FinishParams = {
  runId: number;
  status: FinalStatus;
  /** Only runs in these states move; the run's current state otherwise tells the caller why not. */
  fromStatuses: Array<'QUEUED' | 'RUNNING'>;
  /** When set, only that runner's run moves. */
  runnerId: number | null;
  productsFound?: number;
  productsProcessed?: number;
  flagsCreated?: number;
  errorMessage?: string | null;
  errorType?: string | null;
  /** The runner's own measure of the run; bounded by the server's (from the claim to now), which applies without it. */
  runnerSeconds?: number | null;
  /** NOTIFY the transition in the statement (the PostgreSQL bus); the default. */
  notify?: boolean;
  /** The verdict on a completed run; left out (a cancellation), the run keeps what it had. */
  warnings?: RunWarning[];
  expectedProducts?: number | null;
  quality?: RunQuality;
  /** PUBLISHED also stamps publishedAt. */
  publication?: 'NONE' | 'PUBLISHED' | 'HELD';
};

/** The run that moved, or null when none did. */
export async function finishRun(client: pg.ClientBase | pg.Pool, p: FinishParams): Promise<RunChange | null> {
  const { rows } = await client.query<RunChange>({
    name: 'finish_run',
    text: `UPDATE run
              SET status = $2::"RunStatus",
                  completed_at = now(),
                  duration_seconds = CASE WHEN started_at IS NULL THEN NULL
                                          WHEN $10::float8 IS NULL THEN extract(epoch FROM now() - started_at)
                                          ELSE least(extract(epoch FROM now() - started_at), greatest($10::float8, 0)) END,
                  products_found = coalesce($5, products_found),
                  products_processed = coalesce($6, products_processed),
                  flags_created = coalesce($7, flags_created),
                  error_message = $8,
                  error_type = $9,
                  lease_expires_at = NULL,
                  warnings = coalesce($12::jsonb, warnings),
                  expected_products = CASE WHEN $12::jsonb IS NULL THEN expected_products ELSE $13::int END,
                  quality = coalesce($14::jsonb, quality),
                  publication = coalesce($15::"Publication", publication),
                  published_at = CASE WHEN $15::"Publication" = 'PUBLISHED' THEN now() ELSE published_at END
            WHERE id = $1
              AND status = ANY($3::"RunStatus"[])
              AND ($4::int IS NULL OR runner_id = $4)
        RETURNING id AS "runId", scraper_id AS "scraperId", ${notifyRunUpdatedSql('run', '$11')} AS notified`,
    values: [
      p.runId,
      p.status,
      p.fromStatuses,
      p.runnerId,
      p.productsFound ?? null,
      p.productsProcessed ?? null,
      p.flagsCreated ?? null,
      p.errorMessage ?? null,
      p.errorType ?? null,
      p.runnerSeconds ?? null,
      p.notify ?? true,
      p.warnings === undefined ? null : JSON.stringify(p.warnings),
      p.expectedProducts ?? null,
      p.quality === undefined ? null : JSON.stringify(p.quality),
      p.publication ?? null,
    ],
  });
  return rows[0] ? { runId: rows[0].runId, scraperId: rows[0].scraperId } : null;
}
