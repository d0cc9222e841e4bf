/** The published values of some products, by product id; a product never published has none. */
import type pg from 'pg';
import type { PublishedValues } from '../publishedValues.ts';

export async function readPublishedValues(db: pg.Pool | pg.ClientBase, productIds: number[]): Promise<Map<number, PublishedValues>> {
  const { rows } = await db.query<PublishedValues & { productId: number }>({
    name: 'read_published_values',
    text: `SELECT product_id AS "productId", name, brand, category, price, thc_percent AS "thcPercent", cbd_percent AS "cbdPercent", url,
                  scraped_at AS "scrapedAt"
             FROM published_product
            WHERE product_id = ANY($1::int[])`,
    values: [productIds],
  });
  return new Map(rows.map(({ productId, ...values }) => [productId, values]));
}
