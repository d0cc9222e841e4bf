/**
 * The products query on real data: the demo sites scraped by a real runner, plus products with
 * accents reported through reportProducts; filters, search, sorts, pages and counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDemoScrapers, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const PRODUCTS = /* GraphQL */ `
  query Products($filter: ProductFilter, $first: Int, $after: String, $last: Int, $before: String, $sort: ProductSort, $direction: SortDirection) {
    products(filter: $filter, first: $first, after: $after, last: $last, before: $before, sort: $sort, direction: $direction) {
      totalCount
      totalCountExact
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id sku name brand category rawCategory price lastSeenAt published flagged goneAt source { name } } }
    }
  }`;

type Node = { id: string; sku: string; name: string; brand: string | null; category: string | null; rawCategory: string | null; price: number | null; lastSeenAt: string; published: boolean; flagged: boolean };

const { db, server } = useTestServer();
let sites: FixtureSites;
let runner: TestRunner;
let scrapers: Record<string, number>;

async function scrape(scraperId: number) {
  const triggered = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, { id: String(scraperId) });
  const id: string = triggered.triggerRun.data.id;
  let status = '';
  await waitUntil(async () => {
    status = (await server.admin.data(`query($id: ID!) { run(id: $id) { status } }`, { id })).run.status;
    return ['SUCCESS', 'WARNING', 'ERROR'].includes(status);
  }, `run ${id} to end`, 30_000);
  return status;
}

const products = async (variables: Record<string, unknown>) => (await server.admin.data(PRODUCTS, variables)).products;
const skus = async (filter: Record<string, unknown>) => ((await products({ filter, first: 200 })).edges as Array<{ node: Node }>).map((e) => e.node.sku).sort();

/** Every page of a sort, followed by endCursor. */
async function allPages(sort: string, direction: string, pageSize = 7): Promise<Node[]> {
  const nodes: Node[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = await products({ sort, direction, first: pageSize, after });
    nodes.push(...page.edges.map((e: { node: Node }) => e.node));
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  sites = await startFixtureSites();
  scrapers = await registerDemoScrapers(db.url, sites);
  const created = await server.admin.data(`mutation { createRunner(name: "products-query") { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`);
  runner = await startRunner({ apiUrl: server.httpUrl, apiKey: created.createRunner.data.apiKey });
  for (const slug of ['green-leaf', 'sunset-api', 'corner-store']) await scrape(scrapers[slug]!);
  // A runner waiting for work would be woken by the next run and take it from the hand-made claim below.
  await runner.stop();

  // The demo catalogue has no accents: these come from a source of their own, through the runners' mutation.
  const { scraperId } = await seedScraper(db.pool, { slug: 'accents' });
  const reporter = await seedRunner(db.pool);
  const jobId = await claimRunFor(server, scraperId, reporter.apiKey);
  const reported = await server.client({ apiKey: reporter.apiKey }).data(
    `mutation($jobId: ID!, $products: [ProductInput!]!) { reportProducts(jobId: $jobId, batchId: "accents-1", products: $products) { __typename } }`,
    {
      jobId,
      products: [
        { sku: 'AC-1', name: 'Crème Brûlée Gummies', brand: 'Señor Verde', category: 'EDIBLES', price: 21 },
        { sku: 'AC-2', name: 'Creme Soda 355ml', brand: 'Fizz', category: 'Beverage', price: 6 },
        { sku: 'AC-3', name: '100% Pure Rosin', brand: null, category: 'concentrate', price: null },
      ],
    },
  );
  expect(reported.reportProducts.__typename).toBe('MutationReportProductsSuccess');
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  await sites?.stop();
});

describe('products search', () => {
  it('is accent-insensitive both ways: the plain word finds the accented name and the accented word the plain one', async () => {
    expect(await skus({ search: 'creme brulee' })).toEqual(['AC-1']);
    expect(await skus({ search: 'crème' })).toEqual(['AC-1', 'AC-2']);
    expect(await skus({ search: 'senor verde' })).toEqual(['AC-1']);
  });

  it('is case-insensitive and matches name, brand and SKU anywhere', async () => {
    expect(await skus({ search: 'BLUE dream' })).toEqual(['GL-001']);
    expect(await skus({ search: 'cloud nine' })).toEqual(['GL-001', 'GL-002', 'GL-007']);
    expect(await skus({ search: 'gl-01' })).toEqual(['GL-010', 'GL-011', 'GL-012', 'GL-013', 'GL-014', 'GL-015']);
    expect(await skus({ search: 'tincture' })).toEqual(['SS-106', 'SS-107', 'SS-108']);
  });

  it("takes LIKE's own characters literally", async () => {
    expect(await skus({ search: '100%' })).toEqual(['AC-3']);
    expect(await skus({ search: '%' })).toEqual(['AC-3']);
    expect(await skus({ search: 'gl_0' })).toEqual([]);
  });

  it('takes them literally also where folding makes them: full-width ％, ＿ and ＼ are no wildcards', async () => {
    // Folding maps full-width characters to their ASCII forms, so the search is escaped after folding.
    expect(await skus({ search: '％' })).toEqual(['AC-3']);
    expect(await skus({ search: '１００％' })).toEqual(['AC-3']);
    expect(await skus({ search: 'gl＿0' })).toEqual([]);
    expect(await skus({ search: 'rosin＼' })).toEqual([]);
    const found = await products({ filter: { search: '＿' }, first: 1 });
    expect(found.totalCount).toBe(0);
    const exported = await fetch(`http://127.0.0.1:${server.port}/export/products.ndjson?search=${encodeURIComponent('％')}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect((await exported.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line).sku)).toEqual(['AC-3']);
  });

  it('counts what it finds, combined with other filters', async () => {
    const found = await products({ filter: { search: 'haze' }, first: 1 });
    expect(found).toMatchObject({ totalCount: 3, totalCountExact: true, pageInfo: { hasNextPage: true } });
    const { rows } = await db.pool.query<{ id: number }>(`SELECT id FROM source WHERE name = 'Green Leaf Dispensary'`);
    expect(await skus({ search: '3.5g', sourceId: String(rows[0]!.id), category: 'FLOWER' })).toEqual(['GL-001', 'GL-002', 'GL-003', 'GL-004', 'GL-005', 'GL-006', 'GL-007', 'GL-008']);
  });
});

describe('products filters', () => {
  it('normalises categories as stored and as asked: "Edible" and "EDIBLES" find the edibles', async () => {
    const edibles = ['AC-1', 'GL-009', 'GL-010', 'GL-011', 'GL-012'];
    expect(await skus({ category: 'Edible' })).toEqual(edibles);
    expect(await skus({ category: 'EDIBLES' })).toEqual(edibles);
    const vapes = (await products({ filter: { category: 'vape' }, first: 10 })).edges.map((e: { node: Node }) => e.node);
    expect(vapes.map((n: Node) => [n.sku, n.category, n.rawCategory]).sort()).toEqual([
      ['GL-013', 'vapes', 'vape'],
      ['GL-014', 'vapes', 'vape'],
      ['GL-015', 'vapes', 'vape'],
    ]);
    expect(await skus({ category: 'tinctures' })).toEqual(['SS-106', 'SS-107', 'SS-108']);
  });

  it('selects flagged products as the flags say, and the rest with flagged: false', async () => {
    const { rows } = await db.pool.query<{ sku: string }>(`SELECT DISTINCT p.sku FROM product p JOIN flag f ON f.product_id = p.id WHERE f.status = 'PENDING' ORDER BY 1`);
    const flagged = await skus({ flagged: true });
    expect(rows.length).toBeGreaterThan(0);
    expect(flagged).toEqual(rows.map((r) => r.sku).sort());
    expect(flagged).toContain('CS-6'); // the absurd price
    const unflagged = await skus({ flagged: false });
    expect(unflagged.filter((sku) => flagged.includes(sku))).toEqual([]);
    expect(flagged.length + unflagged.length).toBe((await products({ first: 1 })).totalCount);
  });

  it('selects published products as publication says', async () => {
    const { rows } = await db.pool.query<{ sku: string }>(`SELECT p.sku FROM product p JOIN published_product pp ON pp.product_id = p.id ORDER BY 1`);
    const published = await skus({ published: true });
    expect(published).toContain('GL-001');
    expect(published).toEqual(rows.map((r) => r.sku).sort());
    // The accents run never ended, so nothing of it is published.
    expect(await skus({ published: false, search: 'creme' })).toEqual(['AC-1', 'AC-2']);
  });

  it('finds nothing gone while every run saw its products', async () => {
    expect(await products({ filter: { gone: true }, first: 5 })).toMatchObject({ totalCount: 0, edges: [] });
    expect((await products({ filter: { gone: false }, first: 1 })).totalCount).toBe(36);
  });
});

describe('products sorts and pages', () => {
  it('pages by price across pages, cheapest first and unknown prices last, every product once', async () => {
    const nodes = await allPages('PRICE', 'ASC');
    expect(nodes).toHaveLength(36);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(36);
    const prices = nodes.map((n) => n.price);
    const known = prices.filter((p): p is number => p !== null);
    expect(known).toEqual([...known].sort((a, b) => a - b));
    expect(prices.slice(known.length)).toEqual([null, null]);
    expect(nodes.slice(-2).map((n) => n.sku).sort()).toEqual(['AC-3', 'CS-7']);
  });

  it('pages by price descending with unknown prices still last', async () => {
    const nodes = await allPages('PRICE', 'DESC', 5);
    expect(nodes[0]!.sku).toBe('CS-6');
    const known = nodes.map((n) => n.price).filter((p): p is number => p !== null);
    expect(known).toEqual([...known].sort((a, b) => b - a));
    expect(nodes.slice(-2).map((n) => n.price)).toEqual([null, null]);
  });

  it('pages by name in the database order, and back again with last and before', async () => {
    const nodes = await allPages('NAME', 'ASC', 10);
    const { rows } = await db.pool.query<{ sku: string }>(`SELECT sku FROM product ORDER BY name, id`);
    expect(nodes.map((n) => n.sku)).toEqual(rows.map((r) => r.sku));
    const second = await products({ sort: 'NAME', first: 10, after: (await products({ sort: 'NAME', first: 10 })).pageInfo.endCursor });
    const back = await products({ sort: 'NAME', last: 10, before: second.pageInfo.startCursor });
    expect(back.edges.map((e: { node: Node }) => e.node.sku)).toEqual(rows.slice(0, 10).map((r) => r.sku));
    expect(back.pageInfo.hasPreviousPage).toBe(false);
  });

  it('sorts by last seen, newest first', async () => {
    const nodes = await allPages('LAST_SEEN', 'DESC', 8);
    const seen = nodes.map((n) => Date.parse(n.lastSeenAt));
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(nodes.slice(0, 3).map((n) => n.sku).sort()).toEqual(['AC-1', 'AC-2', 'AC-3']);
  });

  it('refuses a cursor of another sort, a page over 200 and a search over 200 characters', async () => {
    const cursor = (await products({ sort: 'PRICE', first: 1 })).pageInfo.endCursor;
    const wrongSort = await server.admin.request(PRODUCTS, { sort: 'NAME', first: 1, after: cursor });
    expect(wrongSort.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    const tooMany = await server.admin.request(PRODUCTS, { first: 201 });
    expect(tooMany.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', issues: [{ path: 'first', message: 'at most 200' }] });
    const tooLong = await server.admin.request(PRODUCTS, { filter: { search: 'x'.repeat(201) } });
    expect(tooLong.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', issues: [{ path: 'filter.search', message: 'at most 200 characters' }] });
  });
});

describe('who reads products', () => {
  it('lets viewers read products and a product with its history, and refuses runners and anonymous callers', async () => {
    const { token } = await seedToken(db.pool, 'VIEWER');
    const viewer = server.client({ token });
    const first = (await viewer.data(PRODUCTS, { filter: { search: 'creme brulee' }, first: 1 })).products.edges[0].node;
    const product = await viewer.data(`query($id: ID!) { product(id: $id) { sku history { kind price available run { id } } } }`, { id: first.id });
    expect(product.product).toMatchObject({ sku: 'AC-1', history: [{ kind: 'FIRST_SEEN', price: 21, available: true }] });
    for (const client of [server.client(), server.client({ apiKey: (await seedRunner(db.pool)).apiKey })]) {
      const refused = await client.request(PRODUCTS, { first: 1 });
      expect(refused.data?.products ?? null).toBeNull();
      expect(refused.errors?.length).toBeGreaterThan(0);
    }
  });
});
