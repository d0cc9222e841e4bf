import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLResponse } from '../helpers/graphql.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const REPORT = /* GraphQL */ `
  mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {
    reportProducts(jobId: $jobId, batchId: $batchId, products: $products) {
      __typename
      ... on MutationReportProductsSuccess { data { received stored flagsCreated duplicate } }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
      ... on TooManyProductsError { limit received }
      ... on RunStateError { status }
    }
  }`;

const COMPLETE = /* GraphQL */ `
  mutation Complete($jobId: ID!) {
    completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 9, productsProcessed: 9, flagsCreated: 0 }) {
      ... on MutationCompleteRunSuccess { data { status flagsCreated } }
    }
  }`;

const { db, server } = useTestServer();
let runner: Awaited<ReturnType<typeof seedRunner>>;
let otherRunner: Awaited<ReturnType<typeof seedRunner>>;
let scraperId: number;
let sourceId: number;
let jobId: string;

const product = (sku: string, fields: Record<string, unknown> = {}) => ({
  sku,
  name: `Product ${sku}`,
  brand: 'Acme',
  category: 'flower',
  price: 12,
  thcPercent: 20,
  cbdPercent: 0.5,
  url: `http://shop.test/${sku}`,
  ...fields,
});

const countRows = async (table: 'product' | 'flag' | 'product_batch') =>
  (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

const flagsOf = async (sku: string) =>
  (
    await db.pool.query<{ kind: string; detail: string; run_id: number }>(
      `SELECT f.kind, f.detail, f.run_id FROM flag f JOIN product p ON p.id = f.product_id WHERE p.sku = $1 ORDER BY f.kind`,
      [sku],
    )
  ).rows;

/**
 * Argument validation runs before the resolver, so the errors plugin returns it as a typed
 * ValidationError only when the builder lets it handle input errors; otherwise it arrives as a
 * top-level error whose message lists "path: message" pairs. Either way the issue paths are kept.
 */
function validationIssuePaths(result: GraphQLResponse): string[] {
  const typed = result.data?.reportProducts;
  if (typed?.__typename === 'ValidationError') return typed.issues.map((i: { path: string }) => i.path);
  const message = result.errors?.[0]?.message ?? '';
  expect(message).toMatch(/^Validation error/);
  return [...message.matchAll(/(?:^Validation error: |, )([\w.]+): /g)].map((m) => m[1]!);
}

beforeAll(async () => {
  ({ scraperId, sourceId } = await seedScraper(db.pool));
  runner = await seedRunner(db.pool);
  otherRunner = await seedRunner(db.pool);
  jobId = await claimRunFor(server, scraperId, runner.apiKey);
});

describe('reportProducts', () => {
  it('stores products of the run and flags missing fields', async () => {
    const client = server.client({ apiKey: runner.apiKey });
    const result = await client.data(REPORT, {
      jobId,
      batchId: 'batch-1',
      products: [product('p1'), product('p2', { price: 13 }), product('p3', { thcPercent: null, brand: null }), product('p4', { price: 14 })],
    });
    expect(result.reportProducts.data).toEqual({ received: 4, stored: 4, flagsCreated: 1, duplicate: false });
    const { rows } = await db.pool.query(`SELECT sku, source_id, run_id, brand, thc_percent FROM product ORDER BY sku`);
    expect(rows.map((r) => r.sku)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(rows.every((r) => r.source_id === sourceId && String(r.run_id) === jobId)).toBe(true);
    expect(await flagsOf('p3')).toEqual([{ kind: 'MISSING_FIELD', detail: 'Missing thcPercent, brand', run_id: Number(jobId) }]);
  });

  it('answers a retried batch with the first counts and stores nothing twice', async () => {
    const client = server.client({ apiKey: runner.apiKey });
    const before = { products: await countRows('product'), flags: await countRows('flag') };
    const again = await client.data(REPORT, { jobId, batchId: 'batch-1', products: [product('p1'), product('p9')] });
    expect(again.reportProducts.data).toEqual({ received: 4, stored: 4, flagsCreated: 1, duplicate: true });
    expect({ products: await countRows('product'), flags: await countRows('flag') }).toEqual(before);
  });

  it('updates products sent again under a new batch instead of duplicating them', async () => {
    const client = server.client({ apiKey: runner.apiKey });
    const result = await client.data(REPORT, {
      jobId,
      batchId: 'batch-2',
      // p3 is still incomplete (its flag exists already); p2 is sent twice and the last copy wins.
      products: [product('p2', { price: 99 }), product('p2', { price: 13.5 }), product('p3', { thcPercent: null, brand: null })],
    });
    expect(result.reportProducts.data).toEqual({ received: 3, stored: 2, flagsCreated: 0, duplicate: false });
    expect(await countRows('product')).toBe(4);
    const { rows } = await db.pool.query(`SELECT price FROM product WHERE sku = 'p2'`);
    expect(rows[0].price).toBe(13.5);
    // One run records a product once, however many of its batches carry it: four products, four entries,
    // each with the values the run stored last (p2's price as the product has it).
    const history = await db.pool.query(`SELECT p.sku, c.kind::text, c.price FROM product_change c JOIN product p ON p.id = c.product_id ORDER BY p.sku`);
    expect(history.rows).toEqual([
      { sku: 'p1', kind: 'FIRST_SEEN', price: 12 },
      { sku: 'p2', kind: 'FIRST_SEEN', price: 13.5 },
      { sku: 'p3', kind: 'FIRST_SEEN', price: 12 },
      { sku: 'p4', kind: 'FIRST_SEEN', price: 14 },
    ]);
  });

  it('flags a price outside the fences once the category has enough prices, and repeated name and brand', async () => {
    const client = server.client({ apiKey: runner.apiKey });
    const result = await client.data(REPORT, {
      jobId,
      batchId: 'batch-3',
      products: [product('p5', { price: 500 }), product('p6', { name: 'Product p1', price: 12.5 })],
    });
    // Flower prices 12, 12, 12.5, 13.5, 14, 500: fences about 9.6 .. 16.4.
    expect(result.reportProducts.data).toMatchObject({ received: 2, stored: 2, flagsCreated: 2 });
    expect((await flagsOf('p5')).map((f) => f.kind)).toEqual(['PRICE_OUTLIER']);
    expect((await flagsOf('p5'))[0]!.detail).toMatch(/^Price 500 is outside .* for category flower \(6 prices\)$/);
    expect(await flagsOf('p6')).toEqual([{ kind: 'DUPLICATE', detail: 'Same name and brand as SKU p1', run_id: Number(jobId) }]);
  });

  it('refuses 1001 products with TooManyProductsError and stores none of them', async () => {
    const client = server.client({ apiKey: runner.apiKey });
    const before = await countRows('product');
    const products = Array.from({ length: 1001 }, (_, i) => product(`bulk-${i}`));
    const result = await client.data(REPORT, { jobId, batchId: 'too-big', products });
    expect(result.reportProducts).toMatchObject({ __typename: 'TooManyProductsError', limit: 1000, received: 1001 });
    expect(await countRows('product')).toBe(before);
    const ok = await client.data(REPORT, { jobId, batchId: 'just-right', products: products.slice(0, 1000) });
    expect(ok.reportProducts.data).toMatchObject({ received: 1000, stored: 1000 });
  });

  it('refuses oversized or malformed fields with a ValidationError and stores nothing', async () => {
    const client = server.client({ apiKey: runner.apiKey });
    const before = { products: await countRows('product'), batches: await countRows('product_batch') };
    const cases = [
      { batchId: 'bad-1', products: [product('ok-1'), product('x', { thcPercent: 150 })], path: 'products.1.thcPercent' },
      { batchId: 'bad-2', products: [product('y', { name: 'n'.repeat(1001) })], path: 'products.0.name' },
      { batchId: 'bad-3', products: [product(' ')], path: 'products.0.sku' },
      { batchId: 'bad-4', products: [product('z', { price: -1 })], path: 'products.0.price' },
      { batchId: 'bad-5', products: [product('nul', { brand: 'a\u0000b' })], path: 'products.0.brand' },
      { batchId: 'bad batch id', products: [product('w')], path: 'batchId' },
      { batchId: 'bad-6', products: [], path: 'products' },
    ];
    for (const { path, ...variables } of cases) {
      const result = await client.request(REPORT, { jobId, ...variables });
      expect(validationIssuePaths(result)).toContain(path);
    }
    expect({ products: await countRows('product'), batches: await countRows('product_batch') }).toEqual(before);
  });

  it("lets a runner report only to a run it claimed", async () => {
    const other = server.client({ apiKey: otherRunner.apiKey });
    const result = await other.data(REPORT, { jobId, batchId: 'intruder', products: [product('intruder')] });
    expect(result.reportProducts).toMatchObject({ __typename: 'NotFoundError' });
    const missing = await server.client({ apiKey: runner.apiKey }).data(REPORT, { jobId: '999999', batchId: 'x', products: [product('x')] });
    expect(missing.reportProducts.__typename).toBe('NotFoundError');
    const { token } = await seedToken(db.pool, 'VIEWER');
    const viewer = await server.client({ token }).request(REPORT, { jobId, batchId: 'viewer', products: [product('viewer')] });
    expect(viewer.errors?.length).toBeGreaterThan(0);
    expect((await db.pool.query(`SELECT 1 FROM product WHERE sku IN ('intruder', 'viewer', 'x')`)).rowCount).toBe(0);
  });

  it('completes a run with the flags counted in the database, as WARNING', async () => {
    const client = server.client({ apiKey: runner.apiKey });
    const done = await client.data(COMPLETE, { jobId });
    // Counted after completion: the run's end judges its whole catalogue's prices again.
    const expected = (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM flag WHERE run_id = $1`, [jobId])).rows[0]!.n;
    expect(expected).toBeGreaterThan(0);
    expect(done.completeRun.data).toEqual({ status: 'WARNING', flagsCreated: expected });
  });

  it('takes no new products for a finished run but still answers retries', async () => {
    const client = server.client({ apiKey: runner.apiKey });
    const late = await client.data(REPORT, { jobId, batchId: 'late', products: [product('late')] });
    expect(late.reportProducts).toMatchObject({ __typename: 'RunStateError', status: 'WARNING' });
    const retry = await client.data(REPORT, { jobId, batchId: 'batch-1', products: [product('p1')] });
    expect(retry.reportProducts.data).toMatchObject({ duplicate: true, received: 4 });
  });

  it('completes a run without flags as SUCCESS whatever the runner claims', async () => {
    const second = await claimRunFor(server, scraperId, runner.apiKey);
    const client = server.client({ apiKey: runner.apiKey });
    const stored = await client.data(REPORT, { jobId: second, batchId: 'clean', products: [product('clean-1', { name: 'A clean product' })] });
    expect(stored.reportProducts.data).toMatchObject({ stored: 1, flagsCreated: 0 });
    const done = await client.data(
      `mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 1, productsProcessed: 1, flagsCreated: 7 }) {
         ... on MutationCompleteRunSuccess { data { status flagsCreated warnings { reason } } } } }`,
      { jobId: second },
    );
    expect(done.completeRun.data).toEqual({ status: 'SUCCESS', flagsCreated: 0, warnings: [] });
  });

  it('ends a SUCCESS that found no products as WARNING with VOLUME_DROP', async () => {
    const third = await claimRunFor(server, scraperId, runner.apiKey);
    const done = await server.client({ apiKey: runner.apiKey }).data(
      `mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 0, productsProcessed: 0 }) {
         ... on MutationCompleteRunSuccess { data { status warnings { reason actual } } } } }`,
      { jobId: third },
    );
    expect(done.completeRun.data).toEqual({ status: 'WARNING', warnings: [{ reason: 'VOLUME_DROP', actual: 0 }] });
  });
});
