import { beforeAll, describe, expect, it } from 'vitest';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const REPORT = /* GraphQL */ `
  mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {
    reportProducts(jobId: $jobId, batchId: $batchId, products: $products) {
      ... on MutationReportProductsSuccess { data { stored } }
    }
  }`;

const COMPLETE = /* GraphQL */ `
  mutation Complete($jobId: ID!) {
    completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 11, productsProcessed: 11, flagsCreated: 0 }) {
      ... on MutationCompleteRunSuccess { data { status } }
    }
  }`;

const QUALITY = /* GraphQL */ `
  query Quality($sourceId: ID) {
    quality(sourceId: $sourceId) { outlierRule priceOutliers { product { sku } lowerBound upperBound } }
  }`;

const FLAGS = /* GraphQL */ `
  query { flags(kind: PRICE_OUTLIER, first: 50) { edges { node { detail product { sku } } } } }`;

const { db, server } = useTestServer();
let sourceId: number;

const product = (sku: string, price: number) => ({ sku, name: `Product ${sku}`, brand: 'Acme', category: 'flower', price, thcPercent: 20, cbdPercent: 1, url: `http://shop.test/${sku}` });

beforeAll(async () => {
  const shop = await seedScraper(db.pool, { slug: 'shop' });
  sourceId = shop.sourceId;
  // Another source's flower is far dearer: pooled with it, the shop's own prices would get other fences.
  const other = await seedScraper(db.pool, { slug: 'other' });
  for (const [i, price] of [200, 210, 220, 230, 240].entries()) {
    await db.pool.query(
      `INSERT INTO product (source_id, sku, name, brand, category, price, scraped_at) VALUES ($1, $2, $2, 'Acme', 'flower', $3, now())`,
      [other.sourceId, `other-${i}`, price],
    );
  }
  const runner = await seedRunner(db.pool);
  const jobId = await claimRunFor(server, shop.scraperId, runner.apiKey);
  const client = server.client({ apiKey: runner.apiKey });
  // The first batch alone has a wide spread, so 45 looks ordinary then; the second narrows the fences.
  await client.data(REPORT, { jobId, batchId: 'b1', products: [10, 20, 30, 45].map((p, i) => product(`s-${i}`, p)) });
  await client.data(REPORT, { jobId, batchId: 'b2', products: [29, 30, 31, 31, 32, 33, 90].map((p, i) => product(`t-${i}`, p)) });
  expect((await client.data(COMPLETE, { jobId })).completeRun.data.status).toBeDefined();
});

describe('one rule for a price outlier', () => {
  it('gives Data quality and the cleanup queue the same products and the same range', async () => {
    const flags = (await server.admin.data(FLAGS)).flags.edges.map((e: any) => e.node);
    for (const scope of [String(sourceId), null]) {
      const { quality } = await server.admin.data(QUALITY, { sourceId: scope });
      const outliers = quality.priceOutliers;
      expect(outliers.map((o: any) => o.product.sku).sort()).toEqual(['s-0', 's-1', 's-3', 't-6']);
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
