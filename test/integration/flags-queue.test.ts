import { beforeAll, describe, expect, it } from 'vitest';
import { seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const FLAGS = /* GraphQL */ `
  query Flags($status: FlagStatus, $kind: FlagKind, $first: Int, $after: String) {
    flags(status: $status, kind: $kind, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id kind status detail resolvedAt product { sku price source { name } } } }
    }
  }`;

const RESOLVE = /* GraphQL */ `
  mutation Resolve($ids: [ID!]!, $status: FlagStatus!) {
    resolveFlags(ids: $ids, status: $status) {
      __typename
      ... on MutationResolveFlagsSuccess { data { updated flags { id status resolvedAt } } }
      ... on Error { message }
    }
  }`;

const { db, server } = useTestServer();
/** Flag ids by a short name: kind, status and age in minutes are in the seed below. */
const ids: Record<string, string> = {};

beforeAll(async () => {
  const { sourceId } = await seedScraper(db.pool, { slug: 'shop' });
  const seeds = [
    ['old-pending', 'MISSING_FIELD', 'PENDING', 300],
    ['new-pending', 'PRICE_OUTLIER', 'PENDING', 10],
    ['mid-pending', 'DUPLICATE', 'PENDING', 100],
    ['newest-approved', 'MISSING_FIELD', 'APPROVED', 1],
    ['dismissed', 'PRICE_OUTLIER', 'DISMISSED', 50],
  ] as const;
  for (const [name, kind, status, minutesAgo] of seeds) {
    const { rows: products } = await db.pool.query<{ id: number }>(
      `INSERT INTO product (source_id, sku, name, price, scraped_at) VALUES ($1, $2, $3, 10, now()) RETURNING id`,
      [sourceId, `sku-${name}`, `Product ${name}`],
    );
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO flag (kind, status, product_id, detail, created_at, resolved_at)
       VALUES ($1::"FlagKind", $2::"FlagStatus", $3, $4, now() - $5::int * interval '1 minute', CASE WHEN $2::"FlagStatus" = 'PENDING' THEN NULL ELSE now() END)
       RETURNING id`,
      [kind, status, products[0]!.id, `detail of ${name}`, minutesAgo],
    );
    ids[name] = String(rows[0]!.id);
  }
});

const skus = (result: any) => result.flags.edges.map((e: any) => e.node.product.sku.replace('sku-', ''));

describe('flags', () => {
  it('lists pending flags first, newest first within each status, each with its product', async () => {
    const result = await server.admin.data(FLAGS);
    expect(skus(result)).toEqual(['new-pending', 'mid-pending', 'old-pending', 'newest-approved', 'dismissed']);
    expect(result.flags.edges[0].node).toMatchObject({ kind: 'PRICE_OUTLIER', status: 'PENDING', product: { price: 10, source: { name: 'shop source' } } });
  });

  it('filters by status and kind', async () => {
    expect(skus(await server.admin.data(FLAGS, { status: 'PENDING' }))).toEqual(['new-pending', 'mid-pending', 'old-pending']);
    expect(skus(await server.admin.data(FLAGS, { kind: 'PRICE_OUTLIER' }))).toEqual(['new-pending', 'dismissed']);
    expect(skus(await server.admin.data(FLAGS, { status: 'PENDING', kind: 'MISSING_FIELD' }))).toEqual(['old-pending']);
  });

  it('pages with first and after without skipping or repeating', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await server.admin.data(FLAGS, { first: 2, after });
      seen.push(...skus(page));
      if (!page.flags.pageInfo.hasNextPage) break;
      after = page.flags.pageInfo.endCursor;
    }
    expect(seen).toEqual(['new-pending', 'mid-pending', 'old-pending', 'newest-approved', 'dismissed']);
  });

  it('lets a viewer read the queue but not resolve it', async () => {
    const { token } = await seedToken(db.pool, 'VIEWER');
    const viewer = server.client({ token });
    expect(skus(await viewer.data(FLAGS, { status: 'PENDING' }))).toHaveLength(3);
    const result = await viewer.request(RESOLVE, { ids: [ids['old-pending']], status: 'APPROVED' });
    expect(result.errors?.length).toBeGreaterThan(0);
    const { rows } = await db.pool.query(`SELECT status FROM flag WHERE id = $1`, [ids['old-pending']]);
    expect(rows[0].status).toBe('PENDING');
  });

  it('resolves flags, records when, and skips ids that name no flag', async () => {
    const before = Date.now();
    const result = await server.admin.data(RESOLVE, { ids: [ids['old-pending'], ids['mid-pending'], '999999'], status: 'DISMISSED' });
    const { updated, flags } = result.resolveFlags.data;
    expect(updated).toBe(2);
    expect(flags.map((f: any) => [f.id, f.status])).toEqual([
      [ids['old-pending'], 'DISMISSED'],
      [ids['mid-pending'], 'DISMISSED'],
    ].sort((a, b) => Number(a[0]) - Number(b[0])));
    for (const flag of flags) expect(Date.parse(flag.resolvedAt)).toBeGreaterThan(before - 60_000);
    expect(skus(await server.admin.data(FLAGS, { status: 'PENDING' }))).toEqual(['new-pending']);
  });

  it('takes PENDING (the undo of a resolution) and refuses more than 500 ids, changing nothing', async () => {
    const pending = await server.admin.data(RESOLVE, { ids: [ids['new-pending']], status: 'PENDING' });
    expect(pending.resolveFlags.data.flags).toEqual([{ id: ids['new-pending'], status: 'PENDING', resolvedAt: null }]);
    const tooMany = Array.from({ length: 501 }, (_, i) => String(i + 1));
    const many = await server.admin.request(RESOLVE, { ids: tooMany, status: 'APPROVED' });
    expect(JSON.stringify(many)).toMatch(/at most 500 flags at once/);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM flag WHERE status = 'APPROVED'`);
    expect(rows[0].n).toBe(1);
    expect(skus(await server.admin.data(FLAGS, { status: 'PENDING' }))).toEqual(['new-pending']);
  });
});
