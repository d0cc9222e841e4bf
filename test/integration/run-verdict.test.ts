import { beforeAll, describe, expect, it } from 'vitest';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const REPORT = /* GraphQL */ `
  mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {
    reportProducts(jobId: $jobId, batchId: $batchId, products: $products) {
      __typename
      ... on MutationReportProductsSuccess { data { stored flagsCreated } }
    }
  }`;

const RUN_FIELDS = /* GraphQL */ `
  id status flagsCreated expectedProducts publication publishedAt completedAt
  warnings { reason message expected actual gate }
  quality { productCount outliers duplicates missingFields { field missing percent } }`;

const COMPLETE = /* GraphQL */ `
  mutation Complete($jobId: ID!, $result: RunResultInput!) {
    completeRun(jobId: $jobId, result: $result) {
      __typename
      ... on MutationCompleteRunSuccess { data { ${RUN_FIELDS} } }
    }
  }`;

const APPROVE = /* GraphQL */ `
  mutation Approve($runId: ID!) {
    approveRun(runId: $runId) {
      __typename
      ... on MutationApproveRunSuccess { data { ${RUN_FIELDS} } }
      ... on RunNotHeldError { runId publication message }
      ... on NotFoundError { entity id }
    }
  }`;

const HELD_RUNS = /* GraphQL */ `query { heldRuns { id publication scraper { slug } } }`;
const RUN = /* GraphQL */ `query Run($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`;

const { db, server } = useTestServer();
let runner: Awaited<ReturnType<typeof seedRunner>>;

type ProductFields = { sku: string; name: string; brand: string | null; category: string | null; price: number | null; thcPercent: number | null; cbdPercent: number | null; url: string | null };

/** n products of one category at one price, each with its own name; `change` alters the i-th. */
const products = (n: number, price: number, change: (i: number) => Partial<ProductFields> = () => ({})): ProductFields[] =>
  Array.from({ length: n }, (_, i) => ({
    sku: `SKU-${i + 1}`,
    name: `Product ${i + 1}`,
    brand: 'Acme',
    category: 'flower',
    price,
    thcPercent: null,
    cbdPercent: null,
    url: null,
    ...change(i),
  }));

/** A stored definition that scrapes sku, name, brand, category and price, but no THC, CBD or URL. */
const definition = (extra: Record<string, unknown> = {}) => ({
  format: 'json',
  urls: ['http://127.0.0.1:9/menu'],
  items: 'items',
  fields: { sku: 'sku', name: 'name', brand: 'brand', category: 'category', price: 'price' },
  ...extra,
});

async function scraperWith(slug: string, extra: Record<string, unknown> = {}) {
  return seedScraper(db.pool, { slug, config: definition(extra) });
}

/** One run of the scraper through the API: claimed, its products reported, completed as the runner says. */
async function run(scraperId: number, stored: ProductFields[], result: { status?: string; productsFound?: number; errorMessage?: string } = {}) {
  const jobId = await claimRunFor(server, scraperId, runner.apiKey);
  const client = server.client({ apiKey: runner.apiKey });
  if (stored.length > 0) {
    const report = await client.data(REPORT, { jobId, batchId: 'all', products: stored });
    expect(report.reportProducts.__typename).toBe('MutationReportProductsSuccess');
  }
  const done = await client.data(COMPLETE, {
    jobId,
    result: { status: result.status ?? 'SUCCESS', productsFound: result.productsFound ?? stored.length, productsProcessed: stored.length, errorMessage: result.errorMessage },
  });
  expect(done.completeRun.__typename).toBe('MutationCompleteRunSuccess');
  return done.completeRun.data;
}

const lastDeliveredAt = async (sourceId: number): Promise<Date | null> =>
  (await db.pool.query<{ at: Date | null }>(`SELECT last_delivered_at AS at FROM source WHERE id = $1`, [sourceId])).rows[0]!.at;

/** What published reads return for the source: price per SKU, and the run each value came from. */
const published = async (sourceId: number) =>
  Object.fromEntries(
    (
      await db.pool.query<{ sku: string; price: number | null; run_id: number }>(
        `SELECT p.sku, pp.price, pp.run_id FROM published_product pp JOIN product p ON p.id = pp.product_id WHERE p.source_id = $1 ORDER BY p.sku`,
        [sourceId],
      )
    ).rows.map((r) => [r.sku, { price: r.price, runId: String(r.run_id) }]),
  );

const livePrices = async (sourceId: number) =>
  Object.fromEntries((await db.pool.query<{ sku: string; price: number | null }>(`SELECT sku, price FROM product WHERE source_id = $1`, [sourceId])).rows.map((r) => [r.sku, r.price]));

beforeAll(async () => {
  runner = await seedRunner(db.pool);
});

describe('missing fields and the per-run quality summary', () => {
  it('never calls a field the definition does not scrape missing', async () => {
    const { scraperId } = await scraperWith('unscraped');
    // No THC, CBD or URL on any product (the definition reads none of them); one product lacks its price.
    const ended = await run(scraperId, products(4, 30, (i) => (i === 3 ? { price: null } : {})));
    const { rows: flags } = await db.pool.query(`SELECT f.kind, f.detail, p.sku FROM flag f JOIN product p ON p.id = f.product_id WHERE f.run_id = $1`, [ended.id]);
    expect(flags).toEqual([{ kind: 'MISSING_FIELD', detail: 'Missing price', sku: 'SKU-4' }]);
    expect(ended.quality.missingFields).toEqual([
      { field: 'brand', missing: 0, percent: 0 },
      { field: 'price', missing: 1, percent: 25 },
      { field: 'category', missing: 0, percent: 0 },
    ]);
  });

  it('shows a persisting problem on every run, though its flag is raised once', async () => {
    const { scraperId } = await scraperWith('persisting');
    const incomplete = products(5, 30, (i) => (i === 0 ? { price: null, brand: null } : {}));
    const first = await run(scraperId, incomplete);
    const second = await run(scraperId, incomplete);
    expect(first).toMatchObject({ status: 'WARNING', flagsCreated: 1, warnings: [{ reason: 'FLAGS_RAISED', actual: 1 }] });
    // The product keeps its one MISSING_FIELD flag: the cleanup queue is not filled again…
    expect(second).toMatchObject({ status: 'SUCCESS', flagsCreated: 0, warnings: [] });
    // …but each run's own summary still counts the gap.
    for (const ended of [first, second]) {
      expect(ended.quality).toMatchObject({ productCount: 5, outliers: 0, duplicates: 0 });
      expect(ended.quality.missingFields.filter((m: any) => m.missing > 0)).toEqual([
        { field: 'brand', missing: 1, percent: 20 },
        { field: 'price', missing: 1, percent: 20 },
      ]);
    }
  });

  it('counts outliers and duplicates found in the run', async () => {
    const { scraperId } = await scraperWith('odd-catalogue');
    const ended = await run(scraperId, products(8, 30, (i) => (i === 0 ? { price: 900 } : i === 7 ? { name: 'Product 2' } : {})));
    expect(ended.quality).toMatchObject({ productCount: 8, outliers: 1, duplicates: 2 });
  });
});

describe('volume', () => {
  it('learns the expected volume from good runs and ends a drop WARNING with both figures, leaving freshness where it was', async () => {
    const { scraperId, sourceId } = await scraperWith('learning');
    const good = [];
    for (const n of [10, 12, 10]) good.push(await run(scraperId, products(n, 30)));
    expect(good.map((r) => [r.status, r.expectedProducts])).toEqual([
      ['SUCCESS', null],
      ['SUCCESS', null],
      ['SUCCESS', null],
    ]);
    const delivered = await lastDeliveredAt(sourceId);
    expect(delivered?.toISOString()).toBe(good[2].completedAt);

    const dropped = await run(scraperId, products(4, 30));
    expect(dropped).toMatchObject({
      status: 'WARNING',
      expectedProducts: 10,
      warnings: [{ reason: 'VOLUME_DROP', expected: 10, actual: 4, gate: null, message: 'Found 4 products, under 50% of the 10 expected' }],
    });
    // What it found is published (no gate broke), but a drop does not make the source's data fresh.
    expect(dropped.publication).toBe('PUBLISHED');
    expect(await lastDeliveredAt(sourceId)).toEqual(delivered);

    // The drop does not teach the median: the next run is judged against the same figure, and passes.
    const recovered = await run(scraperId, products(9, 30));
    expect(recovered).toMatchObject({ status: 'SUCCESS', expectedProducts: 10, warnings: [] });
    expect((await lastDeliveredAt(sourceId))!.toISOString()).toBe(recovered.completedAt);
  });

  it("takes the expected volume from the definition's minProducts and volumeDropRatio", async () => {
    const { scraperId } = await scraperWith('declared', { minProducts: 20, volumeDropRatio: 0.75 });
    const short = await run(scraperId, products(14, 30));
    expect(short).toMatchObject({ status: 'WARNING', expectedProducts: 20, warnings: [{ reason: 'VOLUME_DROP', expected: 20, actual: 14 }] });
    const enough = await run(scraperId, products(15, 30));
    expect(enough).toMatchObject({ status: 'SUCCESS', expectedProducts: 20, warnings: [] });
  });

  it('ends a run that found nothing WARNING with VOLUME_DROP, publishing nothing and leaving freshness where it was', async () => {
    const { scraperId, sourceId } = await scraperWith('emptied');
    await run(scraperId, products(6, 30));
    const before = await lastDeliveredAt(sourceId);
    const freshness = `query($id: ID) { freshness(sourceId: $id) { lastDeliveredAt status } }`;
    const fresh = (await server.admin.data(freshness, { id: String(sourceId) })).freshness[0];
    const empty = await run(scraperId, []);
    expect(empty).toMatchObject({
      status: 'WARNING',
      publication: 'NONE',
      publishedAt: null,
      warnings: [{ reason: 'VOLUME_DROP', expected: null, actual: 0, message: 'Found no products' }],
      quality: { productCount: 0 },
    });
    expect(await lastDeliveredAt(sourceId)).toEqual(before);
    expect((await server.admin.data(freshness, { id: String(sourceId) })).freshness[0]).toEqual(fresh);
  });

  it('refuses a definition expecting more products than a run can report, so that no run of it is left unable to end', async () => {
    const create = /* GraphQL */ `
      mutation($input: CreateScraperInput!) {
        createScraper(input: $input) { __typename ... on ValidationError { issues { path message } } }
      }`;
    const input = (slug: string, extra: Record<string, unknown>) => ({
      slug,
      name: slug,
      source: { name: slug, url: 'https://shop.example.test' },
      config: { format: 'json', urls: ['https://shop.example.test/menu.json'], items: 'items', fields: { sku: 'sku', name: 'name' }, ...extra },
    });
    // 3 000 000 000 would be stored as the run's expected figure (an int column) and every completion refused.
    for (const [slug, extra, path] of [
      ['too-many', { minProducts: 3_000_000_000 }, 'input.config.minProducts'],
      ['gate-too-many', { gates: { minProducts: 10_000_001 } }, 'input.config.gates.minProducts'],
    ] as const) {
      const { createScraper } = await server.admin.data(create, { input: input(slug, extra) });
      expect(createScraper).toEqual({ __typename: 'ValidationError', issues: [{ path, message: 'must be at most 10000000' }] });
    }
    const { createScraper } = await server.admin.data(create, { input: input('most', { minProducts: 10_000_000 }) });
    expect(createScraper.__typename).toBe('MutationCreateScraperSuccess');
  });

  it('accepts an empty run from a scraper whose definition says minProducts: 0', async () => {
    const { scraperId } = await scraperWith('often-empty', { minProducts: 0 });
    expect(await run(scraperId, [])).toMatchObject({ status: 'SUCCESS', warnings: [], publication: 'NONE' });
  });

  it('keeps the runner’s own WARNING and ERROR, with its reason', async () => {
    const { scraperId } = await scraperWith('runner-says');
    const warned = await run(scraperId, products(3, 30), { status: 'WARNING', productsFound: 4, errorMessage: '1 of 4 SKUs failed' });
    expect(warned).toMatchObject({ status: 'WARNING', publication: 'PUBLISHED', warnings: [{ reason: 'RUNNER_REPORTED', message: '1 of 4 SKUs failed' }] });
    const failed = await run(scraperId, products(2, 30), { status: 'ERROR', errorMessage: 'site down' });
    expect(failed).toMatchObject({ status: 'ERROR', publication: 'NONE', warnings: [], quality: { productCount: 2 } });
  });
});

describe('quality gates', () => {
  const gated = { gates: { maxMissingPercent: { price: 20 } } };

  it('holds the products of a run that breaks a gate until an admin approves it', async () => {
    const { scraperId, sourceId } = await scraperWith('gated', gated);
    const first = await run(scraperId, products(4, 30));
    expect(first).toMatchObject({ status: 'SUCCESS', publication: 'PUBLISHED' });
    const delivered = await lastDeliveredAt(sourceId);

    // Half the prices gone, the others changed.
    const held = await run(scraperId, products(4, 35, (i) => (i < 2 ? { price: null } : {})));
    expect(held).toMatchObject({
      status: 'WARNING',
      publication: 'HELD',
      publishedAt: null,
      warnings: [
        { reason: 'QUALITY_GATE', gate: 'maxMissingPercent.price', expected: 20, actual: 50 },
        { reason: 'FLAGS_RAISED', actual: 2 },
      ],
    });
    // Stored and visible on the products, not published; the source is no fresher.
    expect(await livePrices(sourceId)).toEqual({ 'SKU-1': null, 'SKU-2': null, 'SKU-3': 35, 'SKU-4': 35 });
    expect(Object.values(await published(sourceId))).toEqual(Array(4).fill({ price: 30, runId: first.id }));
    expect(await lastDeliveredAt(sourceId)).toEqual(delivered);
    const { heldRuns } = await server.admin.data(HELD_RUNS);
    expect(heldRuns).toContainEqual({ id: held.id, publication: 'HELD', scraper: { slug: 'gated' } });

    // A viewer sees the queue but cannot approve.
    const { token } = await seedToken(db.pool, 'VIEWER');
    const viewer = server.client({ token });
    expect((await viewer.data(HELD_RUNS)).heldRuns.map((r: any) => r.id)).toContain(held.id);
    expect((await viewer.request(APPROVE, { runId: held.id })).errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect((await server.admin.data(RUN, { id: held.id })).run.publication).toBe('HELD');

    const approved = (await server.admin.data(APPROVE, { runId: held.id })).approveRun.data;
    expect(approved).toMatchObject({ publication: 'APPROVED', status: 'WARNING' });
    expect(approved.publishedAt).not.toBeNull();
    expect(await published(sourceId)).toEqual({
      'SKU-1': { price: null, runId: held.id },
      'SKU-2': { price: null, runId: held.id },
      'SKU-3': { price: 35, runId: held.id },
      'SKU-4': { price: 35, runId: held.id },
    });
    // The data is as fresh as when it was scraped.
    expect((await lastDeliveredAt(sourceId))!.toISOString()).toBe(held.completedAt);
    expect((await server.admin.data(HELD_RUNS)).heldRuns.map((r: any) => r.id)).not.toContain(held.id);
  });

  it('refuses to approve a run that is not held, with a typed error', async () => {
    const { scraperId } = await scraperWith('not-held', gated);
    const passed = await run(scraperId, products(3, 30));
    const refused = (await server.admin.data(APPROVE, { runId: passed.id })).approveRun;
    expect(refused).toMatchObject({ __typename: 'RunNotHeldError', runId: passed.id, publication: 'PUBLISHED' });
    expect((await server.admin.data(APPROVE, { runId: '999999' })).approveRun).toMatchObject({ __typename: 'NotFoundError', entity: 'Run' });
  });

  it('publishes the next passing run and supersedes the held ones before it', async () => {
    const { scraperId, sourceId } = await scraperWith('superseded', gated);
    await run(scraperId, products(4, 30));
    const held = await run(scraperId, products(4, 35, () => ({ price: null })));
    expect(held.publication).toBe('HELD');
    const next = await run(scraperId, products(4, 40));
    expect(next).toMatchObject({ status: 'SUCCESS', publication: 'PUBLISHED' });
    expect((await server.admin.data(RUN, { id: held.id })).run.publication).toBe('SUPERSEDED');
    expect(Object.values(await published(sourceId))).toEqual(Array(4).fill({ price: 40, runId: next.id }));
    expect((await server.admin.data(APPROVE, { runId: held.id })).approveRun).toMatchObject({ __typename: 'RunNotHeldError', publication: 'SUPERSEDED' });
  });

  it("lets an approval meet the next run's completion: both answer, and the newer run's values win either way", async () => {
    const { scraperId, sourceId } = await scraperWith('approval-race', gated);
    await run(scraperId, products(4, 30));
    for (let round = 0; round < 12; round++) {
      const held = await run(scraperId, products(4, 35, () => ({ price: null })));
      expect(held.publication).toBe('HELD');
      // The next run has stored its products and is about to end as the admin approves the held one.
      const jobId = await claimRunFor(server, scraperId, runner.apiKey);
      const client = server.client({ apiKey: runner.apiKey });
      await client.data(REPORT, { jobId, batchId: 'all', products: products(4, 40 + round) });
      const [approval, completion] = await Promise.all([
        server.admin.request(APPROVE, { runId: held.id }),
        client.request(COMPLETE, { jobId, result: { status: 'SUCCESS', productsFound: 4, productsProcessed: 4 } }),
      ]);
      expect(approval.errors).toBeUndefined();
      expect(completion.errors).toBeUndefined();
      expect(['MutationApproveRunSuccess', 'RunNotHeldError']).toContain(approval.data!.approveRun.__typename);
      expect(completion.data!.completeRun.data).toMatchObject({ status: 'SUCCESS', publication: 'PUBLISHED' });
      expect(Object.values(await published(sourceId))).toEqual(Array(4).fill({ price: 40 + round, runId: jobId }));
    }
  });

  it('names each gate broken, with its limit and the measured value', async () => {
    const { scraperId } = await scraperWith('strict', { gates: { minProducts: 10, maxOutliers: 0, maxDuplicates: 1 } });
    const ended = await run(scraperId, products(8, 30, (i) => (i === 0 ? { price: 900 } : i === 7 ? { name: 'Product 2' } : {})));
    expect(ended.publication).toBe('HELD');
    expect(ended.warnings.map((w: any) => [w.reason, w.gate, w.expected, w.actual])).toEqual([
      ['QUALITY_GATE', 'minProducts', 10, 8],
      ['QUALITY_GATE', 'maxOutliers', 0, 1],
      ['QUALITY_GATE', 'maxDuplicates', 1, 2],
      ['FLAGS_RAISED', null, null, 3],
    ]);
  });
});
