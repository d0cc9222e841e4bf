/**
 * The values a read that asks for published products returns. A run that is held by a quality gate
 * (or still running, or failed) stores what it scraped on the product row itself, where admins see
 * it; what was last published stays in published_product until the next publication. A published
 * read takes these values from there. The rest of a product (id, SKU, source, raw category, first
 * seen, gone, flags, history) is not copied by a publication and is read as stored.
 */
import type { PublishedProduct } from '../db/generated/prisma/client.ts';
import type { ProductFilter } from './productFilter.ts';

export type PublishedValues = Pick<PublishedProduct, 'name' | 'brand' | 'category' | 'price' | 'thcPercent' | 'cbdPercent' | 'url' | 'scrapedAt'>;

/** Only `published: true`: a product that `published: false` selects has no published values. */
export function readsPublishedValues(filter: ProductFilter | null | undefined): boolean {
  return filter?.published === true;
}

/**
 * For SQL over `product p`: the alias to read name, brand, category, price, thc_percent,
 * cbd_percent, url and scraped_at from, and the join that brings it in (none for the product's own).
 */
export function productValuesSql(filter: ProductFilter | null | undefined): { alias: string; join: string } {
  return readsPublishedValues(filter) ? { alias: 'pv', join: 'JOIN published_product pv ON pv.product_id = p.id' } : { alias: 'p', join: '' };
}
