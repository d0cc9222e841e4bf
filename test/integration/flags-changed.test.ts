/** flagsChanged: every admin watching the cleanup queue hears of a resolution, its undo, and flags a run raises. */
import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const RESOLVE = /* GraphQL */ `
  mutation Resolve($ids: [ID!]!, $status: FlagStatus!) {
    resolveFlags(ids: $ids, status: $status) {
      ... on MutationResolveFlagsSuccess { data { updated flags { id status resolvedAt } } }
      ... on Error { message }
    }
  }`;

const REPORT = /* GraphQL */ `
  mutation Report($jobId: ID!, $products: [ProductInput!]!) {
    reportProducts(jobId: $jobId, batchId: "b1", products: $products) { ... on MutationReportProductsSuccess { data { flagsCreated } } }
  }`;

const { db, server } = useTestServer();
const flagIds: string[] = [];
let scraperId: number;

beforeAll(async () => {
  let sourceId: number;
  ({ scraperId, sourceId } = await seedScraper(db.pool, { slug: 'shop' }));
  for (const sku of ['a', 'b', 'c']) {
    const { rows } = await db.pool.query<{ id: number }>(
      `WITH p AS (INSERT INTO product (source_id, sku, name, price, scraped_at) VALUES ($1, $2, $2, 10, now()) RETURNING id)
       INSERT INTO flag (kind, product_id, detail) SELECT 'MISSING_FIELD', id, 'Missing brand' FROM p RETURNING id`,
      [sourceId, sku],
    );
    flagIds.push(String(rows[0]!.id));
  }
});

describe('flagsChanged', () => {
  it('tells a watching viewer the pending count when another admin resolves a flag, and when it is undone', async () => {
    const viewer = server.client({ token: (await seedToken(db.pool, 'VIEWER')).token });
    const ws = viewer.ws();
    const sub = collect(ws, `subscription { flagsChanged { pendingCount } }`);
    try {
      // No replay: dismiss and undo until the subscription, registered meanwhile, hears one.
      for (let attempt = 0; attempt < 20 && sub.events.length === 0; attempt++) {
        await server.admin.data(RESOLVE, { ids: [flagIds[2]], status: 'DISMISSED' });
        await server.admin.data(RESOLVE, { ids: [flagIds[2]], status: 'PENDING' });
        await sub.waitFor(() => sub.events.length > 0, 500).catch(() => undefined);
      }
      expect(sub.events.length).toBeGreaterThan(0);
      await sub.waitFor(() => sub.events.at(-1)!.flagsChanged.pendingCount === 3);
      const seen = sub.events.length;

      const dismissed = await server.admin.data(RESOLVE, { ids: [flagIds[0]], status: 'DISMISSED' });
      expect(dismissed.resolveFlags.data.flags[0]).toMatchObject({ status: 'DISMISSED', resolvedAt: expect.any(String) });
      await sub.waitFor(() => sub.events.length > seen && sub.events.at(-1)!.flagsChanged.pendingCount === 2);

      // The undo sets it back to PENDING, with no resolution time.
      const undone = await server.admin.data(RESOLVE, { ids: [flagIds[0]], status: 'PENDING' });
      expect(undone.resolveFlags.data.flags[0]).toEqual({ id: flagIds[0], status: 'PENDING', resolvedAt: null });
      await sub.waitFor(() => sub.events.at(-1)!.flagsChanged.pendingCount === 3);

      // A run that raises flags is heard too.
      const runner = await seedRunner(db.pool);
      const jobId = await claimRunFor(server, scraperId, runner.apiKey);
      const reported = await server.client({ apiKey: runner.apiKey }).data(REPORT, {
        jobId,
        products: [{ sku: 'new', name: 'New', brand: null, category: 'flower', price: 5, thcPercent: 1, cbdPercent: 1, url: 'http://shop.test/new' }],
      });
      expect(reported.reportProducts.data.flagsCreated).toBe(1);
      await sub.waitFor(() => sub.events.at(-1)!.flagsChanged.pendingCount === 4);
      expect(sub.errors).toEqual([]);
    } finally {
      sub.dispose();
      await ws.dispose();
    }
  });

  it('refuses a status that is not a flag status', async () => {
    const result = await server.admin.request(RESOLVE, { ids: [flagIds[1]], status: 'OPEN' });
    expect(result.errors?.[0]?.message).toMatch(/FlagStatus/);
  });
});
