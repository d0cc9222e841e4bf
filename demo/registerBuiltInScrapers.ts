/** Registers the scraper definitions shipped with Scrapedeck against the demo sites at the given address. */
import type { Database } from '../server/db/database.ts';
import { registerDefinitions, type RegisteredScraper } from '../server/scrapers/registerDefinitions.ts';
import { BUILT_IN_DEFINITIONS, loadDefinitions } from '../scrapers/definitions/loadDefinitions.ts';

export async function registerBuiltInScrapers(db: Database, fixturesUrl: string): Promise<RegisteredScraper[]> {
  return registerDefinitions(db, await loadDefinitions(BUILT_IN_DEFINITIONS, { FIXTURES_URL: fixturesUrl }));
}
