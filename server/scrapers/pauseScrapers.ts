/** Pausing or resuming many scrapers at once, each as pauseScraper and resumeScraper do it alone. */
import type { Database } from '../db/database.ts';
import type { Scraper } from '../db/generated/prisma/client.ts';
import { NotFoundError } from '../domainErrors.ts';
import { eachItem, type ItemOutcome } from '../eachItem.ts';
import { setScraperPaused } from './scraperOperations.ts';

export function setScrapersPaused(db: Database, ids: readonly number[], paused: boolean): Promise<Map<number, ItemOutcome<Scraper>>> {
  return eachItem(ids, (id) => setScraperPaused(db, id, paused), [NotFoundError]);
}
