/**
 * Stores a batch of products of one source in one statement: INSERT … SELECT FROM unnest, keyed on
 * (source_id, sku), so that a product scraped again is updated in place instead of duplicated, and
 * its history (product_change) gains a row only when this run saw something new of it.
 */
import type pg from 'pg';
import type { Product } from '../../../contract/product.ts';

/**
 * A product's history entry is written in the same statement as the product:
 * - FIRST_SEEN when the upsert inserted the row (xmax = 0 tells an insert from an update);
 * - RETURNED when it was gone, CHANGED when its price, THC or CBD differ from the stored values;
 * - when this run already stored it (a sku sent in two batches), nothing more: its entry of this run
 *   takes the values stored last (amended), or, when that first sighting recorded nothing, a
 *   CHANGED entry is written if the values now differ, so that the history always ends at the
 *   product's values.
 * `before` reads the stored rows as the statement's snapshot has them (not locked: a row the same
 * statement updates would then be skipped); batches of one run are serialised by lockRunStatus, so a
 * later batch reads what an earlier one stored and records nothing twice.
 * DISTINCT ON keeps the last occurrence of a sku sent twice in one batch: ON CONFLICT DO UPDATE
 * refuses to touch one row twice in a statement.
 */
const UPSERT_PRODUCTS = `
WITH batch AS (
  SELECT DISTINCT ON (sku) *
    FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::float8[], $11::float8[], $12::text[])
         WITH ORDINALITY AS u(sku, name, brand, category, raw_category, price, thc, cbd, url, ord)
   ORDER BY sku, ord DESC
), before AS (
  SELECT p.id, p.price, p.thc_percent, p.cbd_percent, p.run_id, p.gone_at
    FROM product p JOIN batch b ON p.source_id = $1 AND p.sku = b.sku
), stored AS (
  INSERT INTO product AS p (source_id, sku, name, brand, category, raw_category, price, thc_percent, cbd_percent, url,
                            scraped_at, first_seen_at, run_id, last_scraper_id, search_text)
  SELECT $1, b.sku, b.name, b.brand, b.category, b.raw_category, b.price, b.thc, b.cbd, b.url, now(), now(), $2, $3,
         scrapedeck_fold(b.name || ' ' || coalesce(b.brand, '') || ' ' || b.sku)
    FROM batch b
  ON CONFLICT (source_id, sku) DO UPDATE
     SET name = EXCLUDED.name,
         brand = EXCLUDED.brand,
         category = EXCLUDED.category,
         raw_category = EXCLUDED.raw_category,
         price = EXCLUDED.price,
         thc_percent = EXCLUDED.thc_percent,
         cbd_percent = EXCLUDED.cbd_percent,
         url = EXCLUDED.url,
         scraped_at = EXCLUDED.scraped_at,
         run_id = EXCLUDED.run_id,
         last_scraper_id = EXCLUDED.last_scraper_id,
         search_text = EXCLUDED.search_text,
         gone_at = NULL,
         gone_run_id = NULL
  RETURNING p.id, p.price, p.thc_percent, p.cbd_percent, (p.xmax = 0) AS inserted
), history AS (
  INSERT INTO product_change (product_id, run_id, kind, seen_at, price, thc_percent, cbd_percent)
  SELECT s.id, $2,
         CASE WHEN s.inserted THEN 'FIRST_SEEN' WHEN o.gone_at IS NOT NULL THEN 'RETURNED' ELSE 'CHANGED' END::"ProductChangeKind",
         now(), s.price, s.thc_percent, s.cbd_percent
    FROM stored s LEFT JOIN before o ON o.id = s.id
   WHERE s.inserted
      OR (o.run_id IS DISTINCT FROM $2
          AND (o.gone_at IS NOT NULL
               OR (o.price, o.thc_percent, o.cbd_percent) IS DISTINCT FROM (s.price, s.thc_percent, s.cbd_percent)))
      OR (o.run_id = $2
          AND (o.price, o.thc_percent, o.cbd_percent) IS DISTINCT FROM (s.price, s.thc_percent, s.cbd_percent)
          AND NOT EXISTS (SELECT 1 FROM product_change c WHERE c.product_id = s.id AND c.run_id = $2 AND c.kind <> 'GONE'))
), amended AS (
  UPDATE product_change c
     SET price = s.price, thc_percent = s.thc_percent, cbd_percent = s.cbd_percent
    FROM stored s JOIN before o ON o.id = s.id
   WHERE c.product_id = s.id AND c.run_id = $2 AND c.kind <> 'GONE' AND o.run_id = $2
     AND (o.price, o.thc_percent, o.cbd_percent) IS DISTINCT FROM (s.price, s.thc_percent, s.cbd_percent)
  RETURNING c.product_id
)
SELECT id FROM stored`;

/**
 * Returns the ids of the stored products (one per distinct sku). `normaliseCategory` is the
 * scraper's category normaliser; the category as scraped is kept as raw_category.
 */
export async function upsertProducts(
  client: pg.ClientBase,
  params: { sourceId: number; runId: number; scraperId: number; products: Product[]; normaliseCategory: (raw: string | null) => string | null },
): Promise<number[]> {
  const { products } = params;
  const { rows } = await client.query<{ id: number }>({
    name: 'upsert_products',
    text: UPSERT_PRODUCTS,
    values: [
      params.sourceId,
      params.runId,
      params.scraperId,
      products.map((p) => p.sku),
      products.map((p) => p.name),
      products.map((p) => p.brand),
      products.map((p) => params.normaliseCategory(p.category)),
      products.map((p) => p.category),
      products.map((p) => p.price),
      products.map((p) => p.thcPercent),
      products.map((p) => p.cbdPercent),
      products.map((p) => p.url),
    ],
  });
  return rows.map((r) => r.id);
}
