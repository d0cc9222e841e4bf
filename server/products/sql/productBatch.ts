/** Records product batches per run, so that a retried batch is answered from the first delivery. */
import type pg from 'pg';

export type BatchCounts = { received: number; stored: number; flagsCreated: number };

/** Claims the batch id for the run; false when it was claimed before (a retry). */
export async function claimProductBatch(client: pg.ClientBase, runId: number, batchId: string, received: number): Promise<boolean> {
  const { rowCount } = await client.query({
    name: 'claim_product_batch',
    text: `INSERT INTO product_batch (run_id, batch_id, received, stored, flags_created)
           VALUES ($1, $2, $3, 0, 0)
           ON CONFLICT (run_id, batch_id) DO NOTHING`,
    values: [runId, batchId, received],
  });
  return rowCount === 1;
}

export async function recordProductBatch(client: pg.ClientBase, runId: number, batchId: string, counts: BatchCounts): Promise<void> {
  await client.query({
    name: 'record_product_batch',
    text: `UPDATE product_batch SET stored = $3, flags_created = $4 WHERE run_id = $1 AND batch_id = $2`,
    values: [runId, batchId, counts.stored, counts.flagsCreated],
  });
}

export async function findProductBatch(pool: pg.Pool, runId: number, batchId: string): Promise<BatchCounts | null> {
  const { rows } = await pool.query<BatchCounts>({
    name: 'find_product_batch',
    text: `SELECT received, stored, flags_created AS "flagsCreated" FROM product_batch WHERE run_id = $1 AND batch_id = $2`,
    values: [runId, batchId],
  });
  return rows[0] ?? null;
}

/** Batches of one run are stored one at a time (see upsertProducts' history). */
const RUN_PRODUCTS_LOCK = 15_001;

/**
 * The run's status, with a share lock held to the end of the transaction: the run cannot end
 * meanwhile. Another batch of the same run waits for this one (an advisory lock on the run, taken in
 * the same statement), so that each reads the products the one before stored.
 */
export async function lockRunStatus(client: pg.PoolClient, runId: number): Promise<string> {
  const { rows } = await client.query<{ status: string }>({
    name: 'lock_run_status',
    text: `SELECT status, pg_advisory_xact_lock($2::int, id) FROM run WHERE id = $1 FOR SHARE`,
    values: [runId, RUN_PRODUCTS_LOCK],
  });
  return rows[0]!.status;
}
