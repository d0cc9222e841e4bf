/**
 * Stores a batch of products of one source in one statement: INSERT … SELECT FROM unnest, keyed on
 * (source_id, sku), so that a product scraped again is updated in place instead of duplicated.
 */
import type pg from 'pg';
import type { Product } from '../../../contract/product.ts';

// DISTINCT ON keeps the last occurrence of a sku sent twice in one batch: ON CONFLICT DO UPDATE
// refuses to touch one row twice in a statement.
const UPSERT_PRODUCTS = `
INSERT INTO product AS p (source_id, sku, name, brand, category, price, thc_percent, cbd_percent, url, scraped_at, run_id)
SELECT $1, u.sku, u.name, u.brand, u.category, u.price, u.thc, u.cbd, u.url, now(), $2
  FROM (SELECT DISTINCT ON (sku) *
          FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::float8[], $10::text[])
               WITH ORDINALITY AS u(sku, name, brand, category, price, thc, cbd, url, ord)
         ORDER BY sku, ord DESC) u
ON CONFLICT (source_id, sku) DO UPDATE
   SET name = EXCLUDED.name,
       brand = EXCLUDED.brand,
       category = EXCLUDED.category,
       price = EXCLUDED.price,
       thc_percent = EXCLUDED.thc_percent,
       cbd_percent = EXCLUDED.cbd_percent,
       url = EXCLUDED.url,
       scraped_at = EXCLUDED.scraped_at,
       run_id = EXCLUDED.run_id
RETURNING p.id`;

/** Returns the ids of the stored products (one per distinct sku). */
export async function upsertProducts(
  client: pg.ClientBase,
  params: { sourceId: number; runId: number; products: Product[] },
): Promise<number[]> {
  const { products } = params;
  const { rows } = await client.query<{ id: number }>({
    name: 'upsert_products',
    text: UPSERT_PRODUCTS,
    values: [
      params.sourceId,
      params.runId,
      products.map((p) => p.sku),
      products.map((p) => p.name),
      products.map((p) => p.brand),
      products.map((p) => p.category),
      products.map((p) => p.price),
      products.map((p) => p.thcPercent),
      products.map((p) => p.cbdPercent),
      products.map((p) => p.url),
    ],
  });
  return rows.map((r) => r.id);
}
