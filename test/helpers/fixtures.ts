/** The demo shop sites and the built-in scraper definitions, for tests that scrape them. */
import { openDatabase } from '../../server/db/database.ts';
import { createLogger } from '../../server/logger.ts';
import { registerBuiltInScrapers } from '../../demo/registerBuiltInScrapers.ts';
import { startFixtureSites, type FixtureSites } from '../../scrapers/fixtures/fixtureSites.ts';

export { startFixtureSites, type FixtureSites };

/** Registers the built-in definitions against the given fixture sites; returns scraper ids by slug. */
export async function registerDemoScrapers(databaseUrl: string, sites: FixtureSites): Promise<Record<string, number>> {
  const db = openDatabase(databaseUrl, createLogger('silent'), { max: 1 });
  try {
    const registered = await registerBuiltInScrapers(db, sites.url);
    return Object.fromEntries(registered.map((r) => [r.slug, r.scraperId]));
  } finally {
    await db.close();
  }
}

/** A per-SKU definition against the sites' /lab endpoint: `count` SKUs, each answered after `delayMs`. */
export function labDefinition(sites: FixtureSites, options: { slug: string; count: number; delayMs?: number; concurrency?: number }) {
  return {
    slug: options.slug,
    name: `Lab ${options.slug}`,
    source: { name: `Lab source ${options.slug}`, url: `${sites.url}/lab` },
    format: 'json',
    skus: {
      list: Array.from({ length: options.count }, (_, i) => `LAB-${String(i + 1).padStart(4, '0')}`),
      url: `${sites.url}/lab/items/{sku}?delayMs=${options.delayMs ?? 0}`,
    },
    items: 'product',
    fields: { sku: 'sku', name: 'name', brand: 'brand', category: 'category', price: 'price', thcPercent: 'thc', cbdPercent: 'cbd' },
    rateLimit: { concurrency: options.concurrency ?? 1, delayMs: 0 },
    timeoutMs: 5_000,
    retries: 1,
  };
}
