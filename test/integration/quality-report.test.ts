import { beforeAll, describe, expect, it } from 'vitest';
import { seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const MISSING = 'products missingThc missingCbd missingBrand missingThcRatio missingCbdRatio missingBrandRatio';
const QUALITY = /* GraphQL */ `
  query Quality($sourceId: ID, $limit: Int) {
    quality(sourceId: $sourceId) {
      missingFields { ${MISSING} }
      bySource { source { name } missingFields { ${MISSING} } }
      categories { category count }
      priceOutliers(limit: $limit) { product { sku source { name } } price category q1 q3 lowerBound upperBound }
    }
  }`;

const { db, server } = useTestServer();
let shopA: number;
let shopB: number;

type Seed = { sku: string; category?: string | null; price?: number | null; thc?: number | null; cbd?: number | null; brand?: string | null };

async function insertProducts(sourceId: number, products: Seed[]) {
  for (const p of products) {
    await db.pool.query(
      `INSERT INTO product (source_id, sku, name, brand, category, price, thc_percent, cbd_percent, scraped_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
      [sourceId, p.sku, `Product ${p.sku}`, p.brand === undefined ? 'Brand' : p.brand, p.category ?? null, p.price ?? null, p.thc === undefined ? 20 : p.thc, p.cbd === undefined ? 1 : p.cbd],
    );
  }
}

beforeAll(async () => {
  shopA = (await seedScraper(db.pool, { slug: 'shop-a' })).sourceId;
  shopB = (await seedScraper(db.pool, { slug: 'shop-b' })).sourceId;
  await seedScraper(db.pool, { slug: 'shop-c' }); // a source without products
  // Flower in shop A: 100 and 2 lie far from the other seven prices.
  await insertProducts(shopA, [
    ...[10, 11, 12, 13, 14, 15, 16].map((price, i) => ({ sku: `a-flower-${i}`, category: 'flower', price })),
    { sku: 'a-flower-high', category: 'flower', price: 100, thc: null },
    { sku: 'a-flower-low', category: 'flower', price: 2, thc: null, cbd: null },
    // Three prices say nothing about a spread: 500 is not called an outlier.
    { sku: 'a-edible-1', category: 'edible', price: 1, brand: null },
    { sku: 'a-edible-2', category: 'edible', price: 2, brand: null },
    { sku: 'a-edible-3', category: 'edible', price: 500 },
    { sku: 'a-unsorted', category: null, price: 999, cbd: null },
  ]);
  await insertProducts(shopB, [
    { sku: 'b-1', category: 'flower', price: 12, brand: null },
    { sku: 'b-2', category: 'vape', price: 30 },
  ]);
});

describe('quality', () => {
  it('counts missing THC, CBD and brand overall and per source', async () => {
    const { quality } = await server.admin.data(QUALITY);
    expect(quality.missingFields).toEqual({
      products: 15,
      missingThc: 2,
      missingCbd: 2,
      missingBrand: 3,
      missingThcRatio: 2 / 15,
      missingCbdRatio: 2 / 15,
      missingBrandRatio: 3 / 15,
    });
    expect(quality.bySource.map((s: any) => [s.source.name, s.missingFields.products, s.missingFields.missingBrandRatio])).toEqual([
      ['shop-a source', 13, 2 / 13],
      ['shop-b source', 2, 1 / 2],
      ['shop-c source', 0, 0],
    ]);
  });

  it('lists categories largest first', async () => {
    const { quality } = await server.admin.data(QUALITY);
    expect(quality.categories).toEqual([
      { category: 'flower', count: 10 },
      { category: 'edible', count: 3 },
      { category: 'vape', count: 1 },
      { category: null, count: 1 },
    ]);
  });

  it("finds prices outside their category's Tukey fences", async () => {
    const { quality } = await server.admin.data(QUALITY, { sourceId: String(shopA) });
    // Shop A's flower alone: nine prices 2, 10..16, 100 → Q1 11, Q3 15, fences 5 .. 21.
    expect(quality.priceOutliers).toEqual([
      { product: { sku: 'a-flower-high', source: { name: 'shop-a source' } }, price: 100, category: 'flower', q1: 11, q3: 15, lowerBound: 5, upperBound: 21 },
      { product: { sku: 'a-flower-low', source: { name: 'shop-a source' } }, price: 2, category: 'flower', q1: 11, q3: 15, lowerBound: 5, upperBound: 21 },
    ]);
  });

  it('judges each source against its own fences when no source is named, as the cleanup flags do', async () => {
    const { quality } = await server.admin.data(QUALITY, { limit: 1 });
    // Shop A's nine flower prices alone (shop B's single 12 makes no fences): Q1 = 11, Q3 = 15.
    expect(quality.priceOutliers).toHaveLength(1);
    expect(quality.priceOutliers[0]).toMatchObject({ price: 100, q1: 11, q3: 15, lowerBound: 5, upperBound: 21 });
  });

  it('narrows every part to one source', async () => {
    const { quality } = await server.admin.data(QUALITY, { sourceId: String(shopB) });
    expect(quality.missingFields).toMatchObject({ products: 2, missingBrand: 1, missingBrandRatio: 0.5, missingThc: 0 });
    expect(quality.bySource.map((s: any) => s.source.name)).toEqual(['shop-b source']);
    expect(quality.categories).toEqual([
      { category: 'flower', count: 1 },
      { category: 'vape', count: 1 },
    ]);
    expect(quality.priceOutliers).toEqual([]);
  });

  it('refuses an outlier limit above 1000', async () => {
    const result = await server.admin.request(QUALITY, { limit: 1001 });
    expect(result.errors?.[0]?.message).toMatch(/limit must be at most 1000/);
  });
});
