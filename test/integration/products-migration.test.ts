/**
 * The migration that made products data normalises what was stored before it: categories through
 * the built-in aliases (the scraped value kept as raw_category), search text, the last scraper, and
 * a first history entry per product.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../../server/db/migrate.ts';
import { categoryNormaliser } from '../../server/products/categories.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const PRODUCTS_MIGRATION = '20261207090000_products_history_exports';

let db: TestDatabase;
let before: string;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  // The migrations up to the one before, as a database deployed then has them.
  before = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-migrations-'));
  for (const name of await readdir(MIGRATIONS_DIR)) {
    if (name < PRODUCTS_MIGRATION) await cp(path.join(MIGRATIONS_DIR, name), path.join(before, name), { recursive: true });
  }
  await migrate(db.pool, before);
  const { rows: sources } = await db.pool.query<{ id: number }>(`INSERT INTO source (name, url) VALUES ('Old shop', 'http://old.test') RETURNING id`);
  const { rows: scrapers } = await db.pool.query<{ id: number }>(
    `INSERT INTO scraper (slug, name, source_id, config) VALUES ('old-shop', 'Old shop', $1, '{}') RETURNING id`,
    [sources[0]!.id],
  );
  const { rows: runs } = await db.pool.query<{ id: number }>(
    `INSERT INTO run (scraper_id, status, triggered_by) VALUES ($1, 'SUCCESS', 'MANUAL') RETURNING id`,
    [scrapers[0]!.id],
  );
  const stored = [
    ['OLD-1', 'Crème Gummies', 'Édibles Co', 'Edible', 20],
    ['OLD-2', 'Chocolate Bar', null, 'EDIBLES', 22],
    ['OLD-3', 'Cartridge 1g', 'Vapor Lab', 'vape', 45],
    ['OLD-4', 'Seeds pack', 'Farm', '  Seeds  And Clones ', null],
    ['OLD-5', 'Mystery', 'X', null, 5],
  ];
  for (const [sku, name, brand, category, price] of stored) {
    await db.pool.query(
      `INSERT INTO product (source_id, sku, name, brand, category, price, scraped_at, run_id) VALUES ($1, $2, $3, $4, $5, $6, '2026-12-01T10:00:00Z', $7)`,
      [sources[0]!.id, sku, name, brand, category, price, runs[0]!.id],
    );
  }
  await migrate(db.pool);
});

afterAll(async () => {
  await db?.drop();
  if (before) await rm(before, { recursive: true, force: true });
});

describe('the products migration on stored products', () => {
  it('normalises categories as ingest does and keeps the stored value as raw_category', async () => {
    const { rows } = await db.pool.query(`SELECT sku, category, raw_category FROM product ORDER BY sku`);
    expect(rows).toEqual([
      { sku: 'OLD-1', category: 'edibles', raw_category: 'Edible' },
      { sku: 'OLD-2', category: 'edibles', raw_category: 'EDIBLES' },
      { sku: 'OLD-3', category: 'vapes', raw_category: 'vape' },
      { sku: 'OLD-4', category: 'seeds and clones', raw_category: '  Seeds  And Clones ' },
      { sku: 'OLD-5', category: null, raw_category: null },
    ]);
    // The SQL table of the migration and the module ingest uses agree.
    const normalise = categoryNormaliser();
    for (const row of rows) expect(row.category).toBe(normalise(row.raw_category));
  });

  it('fills search text, first seen, the last scraper, and a first history entry per product', async () => {
    const { rows } = await db.pool.query(
      `SELECT p.sku, p.search_text, p.first_seen_at = p.scraped_at AS first_is_last, p.last_scraper_id = r.scraper_id AS scraper_known, p.gone_at
         FROM product p JOIN run r ON r.id = p.run_id ORDER BY p.sku`,
    );
    expect(rows[0]).toEqual({ sku: 'OLD-1', search_text: 'creme gummies edibles co old-1', first_is_last: true, scraper_known: true, gone_at: null });
    expect(rows[1]!.search_text).toBe('chocolate bar  old-2');
    expect(rows.every((r) => r.first_is_last && r.scraper_known)).toBe(true);
    const history = await db.pool.query(`SELECT p.sku, c.kind::text, c.price, c.run_id = p.run_id AS same_run FROM product_change c JOIN product p ON p.id = c.product_id ORDER BY p.sku`);
    expect(history.rows).toEqual([
      { sku: 'OLD-1', kind: 'FIRST_SEEN', price: 20, same_run: true },
      { sku: 'OLD-2', kind: 'FIRST_SEEN', price: 22, same_run: true },
      { sku: 'OLD-3', kind: 'FIRST_SEEN', price: 45, same_run: true },
      { sku: 'OLD-4', kind: 'FIRST_SEEN', price: null, same_run: true },
      { sku: 'OLD-5', kind: 'FIRST_SEEN', price: 5, same_run: true },
    ]);
  });

  it('makes the stored products searchable through the trigram index', async () => {
    // Which plan five rows get differs between PostgreSQL versions; the benchmark shows the index at
    // work on 1,000,000 products. Here: the index is the trigram GIN index over the folded text.
    const { rows: indexes } = await db.pool.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'product_search_text_idx'`);
    expect(indexes).toHaveLength(1);
    expect(indexes[0].indexdef).toMatch(/USING gin \(search_text gin_trgm_ops\)/);
    const { rows } = await db.pool.query(`SELECT sku FROM product p WHERE p.search_text LIKE '%' || scrapedeck_fold('CRÈME') || '%'`);
    expect(rows).toEqual([{ sku: 'OLD-1' }]);
  });
});
