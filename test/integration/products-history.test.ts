/**
 * A product's history across runs of a real runner against the lab site: a change is recorded once,
 * an unchanged repeat not at all, a product a complete run no longer finds is gone (and back when
 * seen again), and a run the server judges WARNING marks nothing gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDefinition } from '../../contract/definitionSchema.ts';
import { labDefinition, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const RUN = /* GraphQL */ `query($id: ID!) { run(id: $id) { status listingComplete productsGone warnings { reason } } }`;
const PRODUCT = /* GraphQL */ `
  query($id: ID!) {
    product(id: $id) { sku price goneAt goneRun { id } history { kind price available run { id } } }
  }`;
const GONE = /* GraphQL */ `query($gone: Boolean) { products(filter: { gone: $gone }, first: 10) { totalCount edges { node { sku goneAt } } } }`;

const { db, server } = useTestServer();
let sites: FixtureSites;
let runner: TestRunner | undefined;
let scraperId: number;

/** Points the scraper at these SKUs of the lab site, at this price (or answering 404 for every SKU). */
async function define(skus: string[], options: { price?: number; notFound?: boolean; categoryAliases?: Record<string, string[]> } = {}) {
  const definition = labDefinition(sites, { slug: 'history-lab', count: 0 });
  const query = options.notFound ? 'status=404' : `price=${options.price ?? 12}`;
  const config = parseDefinition({
    ...definition,
    skus: { list: skus, url: `${sites.url}/lab/items/{sku}?${query}` },
    minProducts: 2,
    categoryAliases: options.categoryAliases,
  });
  await db.pool.query(`UPDATE scraper SET config = $2 WHERE id = $1`, [scraperId, JSON.stringify(config)]);
}

async function scrape() {
  const triggered = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, { id: String(scraperId) });
  const id: string = triggered.triggerRun.data.id;
  let run: { status: string; listingComplete: boolean; productsGone: number; warnings: Array<{ reason: string }> } | null = null;
  await waitUntil(async () => {
    run = (await server.admin.data(RUN, { id })).run;
    return ['SUCCESS', 'WARNING', 'ERROR'].includes(run!.status);
  }, `run ${id} to end`, 30_000);
  return { id, ...run! };
}

const productId = async (sku: string) => String((await db.pool.query<{ id: number }>(`SELECT id FROM product WHERE sku = $1`, [sku])).rows[0]!.id);
const historyOf = async (sku: string) => (await server.admin.data(PRODUCT, { id: await productId(sku) })).product;

beforeAll(async () => {
  sites = await startFixtureSites();
  ({ scraperId } = await seedScraper(db.pool, { slug: 'history-lab' }));
  const created = await server.admin.data(`mutation { createRunner(name: "products-history") { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`);
  runner = await startRunner({ apiUrl: server.httpUrl, apiKey: created.createRunner.data.apiKey });
});

afterAll(async () => {
  await runner?.stop();
  await sites?.stop();
});

describe('product history across runs', () => {
  let first: Awaited<ReturnType<typeof scrape>>;
  let third: Awaited<ReturnType<typeof scrape>>;

  it('records a price change once and a product that disappeared as gone, over three runs', async () => {
    await define(['LAB-A', 'LAB-B', 'LAB-C'], { price: 12, categoryAliases: { 'lab goods': ['lab'] } });
    first = await scrape();
    expect(first).toMatchObject({ status: 'SUCCESS', listingComplete: true, productsGone: 0 });

    // Seen again unchanged: nothing recorded.
    const second = await scrape();
    expect(second).toMatchObject({ status: 'SUCCESS', listingComplete: true, productsGone: 0 });

    // The price changes and LAB-C is no longer listed.
    await define(['LAB-A', 'LAB-B'], { price: 15 });
    third = await scrape();
    expect(third).toMatchObject({ status: 'SUCCESS', listingComplete: true, productsGone: 1 });

    const a = await historyOf('LAB-A');
    expect(a.history).toEqual([
      { kind: 'CHANGED', price: 15, available: true, run: { id: third.id } },
      { kind: 'FIRST_SEEN', price: 12, available: true, run: { id: first.id } },
    ]);
    const { rows } = await db.pool.query<{ kind: string; n: number }>(`SELECT kind::text, count(*)::int AS n FROM product_change GROUP BY kind ORDER BY kind`);
    // Three first sightings, two price changes (LAB-A and LAB-B, once each) and one disappearance.
    expect(rows).toEqual([
      { kind: 'CHANGED', n: 2 },
      { kind: 'FIRST_SEEN', n: 3 },
      { kind: 'GONE', n: 1 },
    ]);

    const c = await historyOf('LAB-C');
    expect(c).toMatchObject({ sku: 'LAB-C', price: 12, goneRun: { id: third.id }, goneAt: expect.any(String) });
    expect(c.history[0]).toEqual({ kind: 'GONE', price: null, available: false, run: { id: third.id } });
    const gone = (await server.admin.data(GONE, { gone: true })).products;
    expect(gone).toMatchObject({ totalCount: 1, edges: [{ node: { sku: 'LAB-C' } }] });
    expect((await server.admin.data(GONE, { gone: false })).products.totalCount).toBe(2);
  });

  it('stores the category through the definition aliases, keeping the scraped one', async () => {
    const { rows } = await db.pool.query(`SELECT category, raw_category FROM product WHERE sku = 'LAB-C'`);
    expect(rows).toEqual([{ category: 'lab goods', raw_category: 'lab' }]);
  });

  /** The Sunset JSON listing (2 pages of 5) read by this scraper: `items` where its products are, and how many pages to read. */
  async function defineSunsetListing(items: string, maxPages: number) {
    const config = parseDefinition({
      slug: 'history-lab',
      name: 'History lab',
      source: { name: 'History lab source', url: `${sites.url}/sunset/api/products` },
      format: 'json',
      urls: [`${sites.url}/sunset/api/products`],
      items,
      fields: { sku: 'id', name: 'title', brand: 'brand.name', category: 'type', price: 'pricing.amount', thcPercent: 'lab.thc', cbdPercent: 'lab.cbd' },
      pagination: { next: 'meta.next', maxPages },
      rateLimit: { concurrency: 1, delayMs: 0 },
      minProducts: 2,
    });
    await db.pool.query(`UPDATE scraper SET config = $2 WHERE id = $1`, [scraperId, JSON.stringify(config)]);
  }

  it('marks nothing gone after a run the server judged WARNING for finding nothing, though it read every page', async () => {
    // A broken items path: every page is read (the listing is complete), and no product is found.
    await defineSunsetListing('data.renamed', 10);
    const broken = await scrape();
    expect(broken).toMatchObject({ status: 'WARNING', listingComplete: true, productsGone: 0, warnings: [{ reason: 'VOLUME_DROP' }] });
    const gone = (await server.admin.data(GONE, { gone: true })).products;
    expect(gone.edges.map((e: { node: { sku: string } }) => e.node.sku)).toEqual(['LAB-C']);
  });

  it('marks nothing gone when the run left pages of its listing unread', async () => {
    await defineSunsetListing('data.products', 1);
    const cut = await scrape();
    expect(cut).toMatchObject({ status: 'SUCCESS', listingComplete: false, productsGone: 0 });
    expect((await historyOf('LAB-A')).goneAt).toBeNull();
    expect((await server.admin.data(GONE, { gone: true })).products.totalCount).toBe(1);
  });

  it('records a gone product seen again as RETURNED and lists it again', async () => {
    await define(['LAB-A', 'LAB-B', 'LAB-C'], { price: 15 });
    const back = await scrape();
    // The five Sunset products it saw last time are not listed here: gone.
    expect(back).toMatchObject({ status: 'SUCCESS', productsGone: 5 });
    const c = await historyOf('LAB-C');
    expect(c).toMatchObject({ goneAt: null, goneRun: null, price: 15 });
    expect(c.history.map((h: { kind: string }) => h.kind)).toEqual(['RETURNED', 'GONE', 'FIRST_SEEN']);
    // LAB-A and LAB-B were unchanged: no new entries.
    expect((await historyOf('LAB-A')).history).toHaveLength(2);
  });

  it('records what a run saw last when it sent a product twice with different values, and nothing twice', async () => {
    // This test's runs are claimed by a runner of its own: the real runner, polling, would take them first.
    await runner?.stop();
    runner = undefined;
    const own = await seedScraper(db.pool, { slug: 'history-twice' });
    const reporter = await seedRunner(db.pool);
    const runnerClient = server.client({ apiKey: reporter.apiKey });
    const report = async (jobId: string, batchId: string, price: number) =>
      (
        await runnerClient.data(
          `mutation($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) { reportProducts(jobId: $jobId, batchId: $batchId, products: $products) { __typename } }`,
          { jobId, batchId, products: [{ sku: 'TWICE-1', name: 'Twice', price }, { sku: 'TWICE-2', name: 'Twice too', price: 5 }] },
        )
      ).reportProducts.__typename;
    const endRun = (jobId: string) =>
      runnerClient.data(`mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 2, productsProcessed: 2, flagsCreated: 0 }) { __typename } }`, { jobId });
    const history = async (sku: string) =>
      (await historyOf(sku)).history.map((h: { kind: string; price: number | null }) => ({ kind: h.kind, price: h.price }));

    const one = await claimRunFor(server, own.scraperId, reporter.apiKey);
    expect(await report(one, 'one-a', 10)).toBe('MutationReportProductsSuccess');
    expect(await report(one, 'one-b', 12)).toBe('MutationReportProductsSuccess');
    await endRun(one);
    // The run's entry holds the values it stored last, which the product has.
    expect((await historyOf('TWICE-1')).price).toBe(12);
    expect(await history('TWICE-1')).toEqual([{ kind: 'FIRST_SEEN', price: 12 }]);
    expect(await history('TWICE-2')).toEqual([{ kind: 'FIRST_SEEN', price: 5 }]);

    // A run that first sees the old value, then a new one: one CHANGED entry, with the new value.
    const two = await claimRunFor(server, own.scraperId, reporter.apiKey);
    expect(await report(two, 'two-a', 12)).toBe('MutationReportProductsSuccess');
    expect(await report(two, 'two-b', 14)).toBe('MutationReportProductsSuccess');
    await endRun(two);
    expect(await history('TWICE-1')).toEqual([{ kind: 'CHANGED', price: 14 }, { kind: 'FIRST_SEEN', price: 12 }]);
    expect(await history('TWICE-2')).toEqual([{ kind: 'FIRST_SEEN', price: 5 }]);
  });
});
