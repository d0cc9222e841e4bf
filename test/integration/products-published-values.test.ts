/**
 * Published reads against a real PostgreSQL: a run held by a quality gate stores its values on the
 * product, but the products query and the products export asked for published data return each
 * product's values as of its last published run, until an admin approves the held run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const REPORT = /* GraphQL */ `
  mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {
    reportProducts(jobId: $jobId, batchId: $batchId, products: $products) { __typename }
  }`;

const COMPLETE = /* GraphQL */ `
  mutation Complete($jobId: ID!, $result: RunResultInput!) {
    completeRun(jobId: $jobId, result: $result) {
      __typename
      ... on MutationCompleteRunSuccess { data { id status publication completedAt warnings { reason gate } } }
    }
  }`;

const APPROVE = /* GraphQL */ `
  mutation Approve($runId: ID!) {
    approveRun(runId: $runId) { __typename ... on MutationApproveRunSuccess { data { id publication } } }
  }`;

const PRODUCTS = /* GraphQL */ `
  query Products($filter: ProductFilter) {
    products(first: 50, filter: $filter) {
      totalCount
      edges { node { sku name brand category price thcPercent cbdPercent url scrapedAt lastSeenAt published } }
    }
  }`;

const EXPORT_LINK = /* GraphQL */ `
  query Export($filter: ProductFilter) { productsExport(format: NDJSON, filter: $filter) { path } }`;

type Scraped = { sku: string; name: string; brand: string | null; category: string | null; price: number | null; thcPercent: number | null; cbdPercent: number | null; url: string | null };
type Read = Omit<Scraped, 'sku'> & { scrapedAt: string; lastSeenAt: string; published: boolean };

const { db, server } = useTestServer();
let runnerKey: string;
let scraperId: number;
let sourceId: number;

// More than a fifth of the prices missing breaks the gate.
const definition = {
  format: 'json',
  urls: ['http://127.0.0.1:9/menu'],
  items: 'items',
  fields: { sku: 'sku', name: 'name', brand: 'brand', category: 'category', price: 'price', thcPercent: 'thc', cbdPercent: 'cbd', url: 'url' },
  gates: { maxMissingPercent: { price: 20 } },
};

const catalogue = (change: (sku: string) => Partial<Scraped> = () => ({})): Scraped[] =>
  ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4', 'SKU-5'].map((sku) => ({
    sku,
    name: `Flower ${sku}`,
    brand: 'Acme',
    category: 'flower',
    price: 30,
    thcPercent: 20,
    cbdPercent: 1,
    url: `https://shop.example/${sku}`,
    ...change(sku),
  }));

async function run(products: Scraped[]) {
  const jobId = await claimRunFor(server, scraperId, runnerKey);
  const runner = server.client({ apiKey: runnerKey });
  expect((await runner.data(REPORT, { jobId, batchId: 'all', products })).reportProducts.__typename).toBe('MutationReportProductsSuccess');
  const done = await runner.data(COMPLETE, { jobId, result: { status: 'SUCCESS', productsFound: products.length, productsProcessed: products.length } });
  expect(done.completeRun.__typename).toBe('MutationCompleteRunSuccess');
  return done.completeRun.data as { id: string; status: string; publication: string; completedAt: string; warnings: Array<{ reason: string; gate: string | null }> };
}

/** Each product the products query returns for the filter, by SKU, with the count it gives. */
async function query(filter: Record<string, unknown>) {
  const { products } = await server.admin.data(PRODUCTS, { filter: { sourceId: String(sourceId), ...filter } });
  const bySku = Object.fromEntries(products.edges.map(({ node: { sku, ...read } }: { node: Read & { sku: string } }) => [sku, read])) as Record<string, Read>;
  return { totalCount: products.totalCount as number, bySku };
}

const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });

/** The products export, by SKU: NDJSON by the link productsExport gives, CSV by the endpoint itself. */
async function exported(filter: Record<string, unknown>) {
  const { productsExport } = await server.admin.data(EXPORT_LINK, { filter: { sourceId: String(sourceId), ...filter } });
  const ndjson = await get(productsExport.path);
  expect(ndjson.status).toBe(200);
  const lines = (await ndjson.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Read & { sku: string });
  const csv = await get(`/export/products.csv?sourceId=${sourceId}${filter.published === true ? '&published=true' : ''}`);
  expect(csv.status).toBe(200);
  const [head, ...rows] = (await csv.text()).split('\r\n').filter(Boolean).map((line) => line.split(','));
  const column = (row: string[], name: string) => row[head!.indexOf(name)];
  return {
    path: productsExport.path as string,
    ndjson: Object.fromEntries(lines.map(({ sku, ...read }) => [sku, read])),
    csv: Object.fromEntries(rows.map((row) => [column(row, 'sku'), { name: column(row, 'name'), price: column(row, 'price'), lastSeenAt: column(row, 'lastSeenAt') }])),
  };
}

beforeAll(async () => {
  runnerKey = (await seedRunner(db.pool)).apiKey;
  ({ scraperId, sourceId } = await seedScraper(db.pool, { slug: 'held-values', config: definition }));
});

describe('published reads of products whose latest run was held', () => {
  const first = catalogue();
  // SKU-1 renamed, repriced and moved; SKU-4 and SKU-5 lose their prices, which breaks the gate.
  const changed: Partial<Scraped> = { name: 'Flower SKU-1 (renamed)', brand: 'Other', category: 'pre-rolls', price: 45, thcPercent: 25, cbdPercent: 2, url: 'https://shop.example/moved' };
  const second = catalogue((sku) => (sku === 'SKU-1' ? changed : sku === 'SKU-4' || sku === 'SKU-5' ? { price: null } : {}));
  let published: Awaited<ReturnType<typeof run>>;
  let held: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    published = await run(first);
    held = await run(second);
  });

  it('holds the second run by its gate', () => {
    expect(published).toMatchObject({ status: 'SUCCESS', publication: 'PUBLISHED' });
    expect(held).toMatchObject({ status: 'WARNING', publication: 'HELD' });
    expect(held.warnings).toContainEqual({ reason: 'QUALITY_GATE', gate: 'maxMissingPercent.price' });
  });

  it('returns the values of the last published run from products(filter: { published: true }), and the held values without it', async () => {
    const publishedRead = await query({ published: true });
    expect(publishedRead.totalCount).toBe(5);
    const { sku: _sku, ...firstValues } = first[0]!;
    expect(publishedRead.bySku['SKU-1']).toMatchObject({ ...firstValues, category: 'flower', published: true });
    expect(publishedRead.bySku['SKU-4']).toMatchObject({ price: 30 });
    // When the published run saw it, not when the held one did.
    const seen = publishedRead.bySku['SKU-1']!;
    expect(seen.lastSeenAt).toBe(seen.scrapedAt);
    expect(Date.parse(seen.lastSeenAt)).toBeLessThanOrEqual(Date.parse(published.completedAt));

    const live = await query({});
    expect(live.totalCount).toBe(5);
    expect(live.bySku['SKU-1']).toMatchObject({ ...changed, published: true });
    expect(live.bySku['SKU-4']).toMatchObject({ price: null });
    expect(Date.parse(live.bySku['SKU-1']!.lastSeenAt)).toBeGreaterThan(Date.parse(published.completedAt));
  });

  it('exports the published values when the export asks for published data', async () => {
    const publishedExport = await exported({ published: true });
    expect(publishedExport.path).toContain('published=true');
    expect(publishedExport.ndjson['SKU-1']).toMatchObject({ name: 'Flower SKU-1', brand: 'Acme', category: 'flower', price: 30, thcPercent: 20, cbdPercent: 1, url: 'https://shop.example/SKU-1' });
    expect(publishedExport.ndjson['SKU-5']).toMatchObject({ price: 30, published: true });
    expect(publishedExport.csv['SKU-1']).toEqual({ name: 'Flower SKU-1', price: '30', lastSeenAt: publishedExport.ndjson['SKU-1']!.lastSeenAt });

    const liveExport = await exported({});
    expect(liveExport.ndjson['SKU-1']).toMatchObject({ name: 'Flower SKU-1 (renamed)', price: 45, url: 'https://shop.example/moved' });
    expect(liveExport.csv['SKU-1']).toMatchObject({ name: 'Flower SKU-1 (renamed)', price: '45' });
  });

  it('returns the held values from published reads once an admin approves the run', async () => {
    const approved = await server.admin.data(APPROVE, { runId: held.id });
    expect(approved.approveRun).toMatchObject({ __typename: 'MutationApproveRunSuccess', data: { publication: 'APPROVED' } });

    const publishedRead = await query({ published: true });
    const live = await query({});
    expect(publishedRead.bySku).toEqual(live.bySku);
    expect(publishedRead.bySku['SKU-1']).toMatchObject(changed);
    expect(publishedRead.bySku['SKU-5']).toMatchObject({ price: null });

    const publishedExport = await exported({ published: true });
    expect(publishedExport.ndjson['SKU-1']).toMatchObject({ name: 'Flower SKU-1 (renamed)', price: 45, category: 'pre-rolls' });
    expect(publishedExport.csv['SKU-1']).toMatchObject({ name: 'Flower SKU-1 (renamed)', price: '45' });
  });
});
