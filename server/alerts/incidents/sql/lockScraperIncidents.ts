/**
 * Holds, until the transaction ends, the right to change the incidents about one scraper. Runs of a
 * scraper that end at once each touch several of its incidents (a failure raises them rule by rule,
 * a success resolves them all in one statement), in orders that can cross and deadlock; taken one
 * after the other, each also judges a streak that counts the run before it.
 */
import type pg from 'pg';
import { lockForTransaction } from '../../../db/transactionLock.ts';

/** Its key among the transaction locks (server/db/transactionLock.ts). */
const SCRAPER_INCIDENTS_LOCK = 14_001;

export async function lockScraperIncidents(client: pg.ClientBase, scraperId: number): Promise<void> {
  await lockForTransaction(client, SCRAPER_INCIDENTS_LOCK, scraperId);
}
