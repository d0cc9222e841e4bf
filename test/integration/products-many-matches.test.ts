/**
 * A search matching more products than a page gathers: the page walks the sort index, and its
 * totalCount is the planner's estimate (flagged as such), never below what the page proved matches.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const MANY = 12_000;

const { db, server } = useTestServer();

const PRODUCTS = /* GraphQL */ `
  query($search: String!, $first: Int, $after: String) {
    products(filter: { search: $search }, first: $first, after: $after) {
      totalCount
      totalCountExact
      pageInfo { hasNextPage endCursor }
      edges { node { name } }
    }
  }`;

beforeAll(async () => {
  const { sourceId } = await seedScraper(db.pool, { slug: 'big-menu' });
  // Names sort together ("Jalapeño 00001" …), as a common word's matches do in a real catalogue.
  await db.pool.query(
    `INSERT INTO product (source_id, sku, name, category, price, scraped_at, search_text)
     SELECT $1, 'SKU-' || g, 'Jalapeño ' || lpad(g::text, 5, '0'), 'edibles', g % 50, now(),
            scrapedeck_fold('Jalapeño ' || lpad(g::text, 5, '0') || '  SKU-' || g)
       FROM generate_series(1, $2::int) g`,
    [sourceId, MANY],
  );
  await db.pool.query('ANALYZE product');
});

describe('a search matching more products than a page gathers', () => {
  it('pages in name order and counts at least what it proved, as an estimate', async () => {
    const first = (await server.admin.data(PRODUCTS, { search: 'jalapeno', first: 3 })).products;
    expect(first.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Jalapeño 00001', 'Jalapeño 00002', 'Jalapeño 00003']);
    expect(first.totalCountExact).toBe(false);
    expect(first.totalCount).toBeGreaterThan(10_000);
    const next = (await server.admin.data(PRODUCTS, { search: 'jalapeno', first: 2, after: first.pageInfo.endCursor })).products;
    expect(next.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Jalapeño 00004', 'Jalapeño 00005']);
  });

  it('counts a narrower search of the same products exactly', async () => {
    const found = (await server.admin.data(PRODUCTS, { search: 'jalapeño 0001', first: 1 })).products;
    // 00010 … 00019
    expect(found).toMatchObject({ totalCount: 10, totalCountExact: true });
  });
});
