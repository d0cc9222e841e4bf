import { beforeAll, describe, expect, it } from 'vitest';
import { OUTLIER_SKUS, seedOutlierShop } from '../helpers/outlierShop.ts';
import { useTestServer } from '../helpers/server.ts';

const QUALITY = /* GraphQL */ `
  query Quality($sourceId: ID) {
    quality(sourceId: $sourceId) { outlierRule priceOutliers { product { sku } lowerBound upperBound } }
  }`;

const FLAGS = /* GraphQL */ `
  query { flags(kind: PRICE_OUTLIER, first: 50) { edges { node { detail product { sku } } } } }`;

const { db, server } = useTestServer();
let sourceId: number;

beforeAll(async () => {
  const shop = await seedOutlierShop(db, server, 'shop');
  sourceId = shop.sourceId;
  expect(shop.status).toBeDefined();
});

describe('one rule for a price outlier', () => {
  it('gives Data quality and the cleanup queue the same products and the same range', async () => {
    const flags = (await server.admin.data(FLAGS)).flags.edges.map((e: any) => e.node);
    for (const scope of [String(sourceId), null]) {
      const { quality } = await server.admin.data(QUALITY, { sourceId: scope });
      const outliers = quality.priceOutliers;
      expect(outliers.map((o: any) => o.product.sku).sort()).toEqual(OUTLIER_SKUS);
      expect(flags.map((f: any) => f.product.sku).sort()).toEqual(outliers.map((o: any) => o.product.sku).sort());
      for (const o of outliers) {
        const flag = flags.find((f: any) => f.product.sku === o.product.sku);
        expect(flag.detail).toContain(`outside ${o.lowerBound.toFixed(2)} .. ${o.upperBound.toFixed(2)} for category flower`);
      }
    }
  });

  it('states the rule in words with the range it uses', async () => {
    const { quality } = await server.admin.data(QUALITY, { sourceId: null });
    expect(quality.outlierRule).toMatch(/Q1 − 1\.5 × IQR to Q3 \+ 1\.5 × IQR/);
    expect(quality.outlierRule).toMatch(/fewer than 4 prices/);
  });
});
