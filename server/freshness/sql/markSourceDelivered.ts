/**
 * Moves a source's freshness forward when a run delivered products that passed its checks. Never
 * back: an approval of an older held run, or runs of two scrapers of one source, cannot make it older.
 */
import type pg from 'pg';

/** at: when the data was scraped; the transaction's time when left out. */
export async function markSourceDelivered(client: pg.ClientBase, sourceId: number, at: Date | null = null): Promise<void> {
  await client.query({
    name: 'mark_source_delivered',
    text: `UPDATE source SET last_delivered_at = greatest(last_delivered_at, coalesce($2::timestamptz, now())) WHERE id = $1`,
    values: [sourceId, at],
  });
}
