/**
 * A shop whose flower prices have outliers, sent as a runner sends them, beside a dearer shop. The
 * first batch alone has a wide spread (45 looks ordinary then); the second narrows the fences, so a
 * flag judged on the first batch only would disagree with Data quality. The shop's 11 prices sorted
 * are 10 20 29 30 30 31 31 32 33 45 90: Q1 = 29.5, Q3 = 32.5, IQR = 3, expected range 25.00 to
 * 37.00, outliers 10, 20, 45 and 90. Pooled with the dear shop's flower, its prices would get
 * other fences (none of them an outlier).
 */
import type { TestDatabase } from './database.ts';
import { claimRunFor } from './runs.ts';
import { seedRunner, seedScraper } from './seed.ts';
import type { TestServer } from './server.ts';

export const OUTLIER_SKUS = ['s-0', 's-1', 's-3', 't-6'];

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

const product = (sku: string, price: number) => ({ sku, name: `Product ${sku}`, brand: 'Acme', category: 'flower', price, thcPercent: 20, cbdPercent: 1, url: `http://shop.test/${sku}` });

/** Returns the shop's source and the status its run ended with (WARNING: the flags it raised). */
export async function seedOutlierShop(db: TestDatabase, server: TestServer, slug = 'outlier-shop'): Promise<{ sourceId: number; status: string }> {
  const shop = await seedScraper(db.pool, { slug });
  const dear = await seedScraper(db.pool, { slug: `${slug}-dear` });
  for (const [i, price] of [200, 210, 220, 230, 240].entries()) {
    await db.pool.query(
      `INSERT INTO product (source_id, sku, name, brand, category, price, scraped_at) VALUES ($1, $2, $2, 'Acme', 'flower', $3, now())`,
      [dear.sourceId, `dear-${i}`, price],
    );
  }
  const runner = await seedRunner(db.pool);
  const jobId = await claimRunFor(server, shop.scraperId, runner.apiKey);
  const client = server.client({ apiKey: runner.apiKey });
  await client.data(REPORT, { jobId, batchId: 'b1', products: [10, 20, 30, 45].map((p, i) => product(`s-${i}`, p)) });
  await client.data(REPORT, { jobId, batchId: 'b2', products: [29, 30, 31, 31, 32, 33, 90].map((p, i) => product(`t-${i}`, p)) });
  const status: string = (await client.data(COMPLETE, { jobId })).completeRun.data.status;
  return { sourceId: shop.sourceId, status };
}
