/**
 * Holds, until the transaction ends, the right to publish one scraper's runs. A completion publishes
 * its run's products and then retires the scraper's held runs; an approval locks a held run and then
 * publishes its products: the same rows in the opposite order, which deadlock when they meet. Both
 * take this first (an approval before it locks its run), so they run one after the other.
 */
import type pg from 'pg';
import { lockForTransaction } from '../../db/transactionLock.ts';

/** Its key among the transaction locks (server/db/transactionLock.ts). */
const SCRAPER_PUBLICATION_LOCK = 14_002;

export async function lockScraperPublication(client: pg.ClientBase, scraperId: number): Promise<void> {
  await lockForTransaction(client, SCRAPER_PUBLICATION_LOCK, scraperId);
}

/** The scraper of a run (it never changes), read without a lock so that the publication lock can come first; null for no such run. */
export async function scraperOfRun(client: pg.ClientBase, runId: number): Promise<number | null> {
  const { rows } = await client.query<{ scraperId: number }>({ name: 'scraper_of_run', text: `SELECT scraper_id AS "scraperId" FROM run WHERE id = $1`, values: [runId] });
  return rows[0]?.scraperId ?? null;
}
