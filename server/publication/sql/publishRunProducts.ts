/**
 * Publishes the values a run stored: every product still carrying them (product.run_id) has its
 * published copy set to them. A product a later run scraped again carries that run's values
 * instead, and is that run's to publish.
 */
import type pg from 'pg';

export async function publishRunProducts(client: pg.ClientBase, runId: number): Promise<number> {
  const { rowCount } = await client.query({
    name: 'publish_run_products',
    text: `INSERT INTO published_product AS pp (product_id, run_id, name, brand, category, price, thc_percent, cbd_percent, url, scraped_at, published_at)
           SELECT id, run_id, name, brand, category, price, thc_percent, cbd_percent, url, scraped_at, now()
             FROM product
            WHERE run_id = $1
           ON CONFLICT (product_id) DO UPDATE
              SET run_id = EXCLUDED.run_id,
                  name = EXCLUDED.name,
                  brand = EXCLUDED.brand,
                  category = EXCLUDED.category,
                  price = EXCLUDED.price,
                  thc_percent = EXCLUDED.thc_percent,
                  cbd_percent = EXCLUDED.cbd_percent,
                  url = EXCLUDED.url,
                  scraped_at = EXCLUDED.scraped_at,
                  published_at = EXCLUDED.published_at`,
    values: [runId],
  });
  return rowCount ?? 0;
}
