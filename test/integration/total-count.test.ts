import { beforeAll, describe, expect, it } from 'vitest';
import { countLogLines } from '../../server/logs/sql/countLogLines.ts';
import { countRuns } from '../../server/runs/runFilter.ts';
import { insertRun, seedClaimedRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const RUNS = /* GraphQL */ `
  query($filter: RunFilter, $after: String) {
    runs(filter: $filter, first: 4, after: $after) { totalCount totalCountExact pageInfo { hasNextPage endCursor } edges { node { id } } }
  }`;
const FLAGS = /* GraphQL */ `
  query($status: FlagStatus, $kind: FlagKind, $after: String) {
    flags(status: $status, kind: $kind, first: 2, after: $after) { totalCount totalCountExact pageInfo { hasNextPage endCursor } edges { node { id } } }
  }`;
const LOGS = /* GraphQL */ `
  query($jobId: ID!, $minLevel: LogLevel, $contains: String, $after: String) {
    jobLogs(jobId: $jobId, minLevel: $minLevel, contains: $contains, first: 7, after: $after) {
      totalCount totalCountExact pageInfo { hasNextPage endCursor } edges { node { seq } }
    }
  }`;

const { db, server } = useTestServer();

/** Pages through a connection to its end; returns every totalCount answered and how many items came. */
async function pageThrough(document: string, field: string, variables: Record<string, unknown>) {
  const counts = new Set<string>();
  let items = 0;
  let after: string | null = null;
  for (;;) {
    const page: any = (await server.admin.data(document, { ...variables, after }))[field];
    counts.add(`${page.totalCount}:${page.totalCountExact}`);
    items += page.edges.length;
    if (!page.pageInfo.hasNextPage) return { counts: [...counts], items };
    after = page.pageInfo.endCursor;
  }
}

let shop: number;
let other: number;
let jobId: string;

beforeAll(async () => {
  ({ scraperId: shop } = await seedScraper(db.pool, { slug: 'count-shop' }));
  ({ scraperId: other } = await seedScraper(db.pool, { slug: 'count-other' }));
  const statuses = ['SUCCESS', 'ERROR', 'WARNING', 'SUCCESS', 'CANCELLED'] as const;
  for (let i = 0; i < 23; i++) {
    const id = await insertRun(db.pool, { scraperId: i % 3 === 0 ? other : shop, status: statuses[i % 5]!, queuedMinutesAgo: 10 * i + 1, completedMinutesAgo: 10 * i });
    if (i % 4 === 0) await db.pool.query(`UPDATE run SET triggered_by = 'SCHEDULER' WHERE id = $1`, [id]);
  }

  const { rows: products } = await db.pool.query<{ id: number }>(
    `INSERT INTO product (source_id, sku, name, price, scraped_at)
     SELECT (SELECT source_id FROM scraper WHERE id = $1), 'sku-' || n, 'Product ' || n, 10, now() FROM generate_series(1, 7) n RETURNING id`,
    [shop],
  );
  const flags: Array<[string, string]> = [
    ['MISSING_FIELD', 'PENDING'], ['PRICE_OUTLIER', 'PENDING'], ['DUPLICATE', 'PENDING'], ['MISSING_FIELD', 'APPROVED'],
    ['PRICE_OUTLIER', 'DISMISSED'], ['MISSING_FIELD', 'PENDING'], ['PRICE_OUTLIER', 'PENDING'],
  ];
  for (const [i, [kind, status]] of flags.entries()) {
    await db.pool.query(`INSERT INTO flag (kind, status, product_id, detail) VALUES ($1::"FlagKind", $2::"FlagStatus", $3, 'd')`, [kind, status, products[i]!.id]);
  }

  const claimed = await seedClaimedRun(server, db.pool);
  jobId = claimed.jobId;
  const levels = ['DEBUG', 'INFO', 'INFO', 'WARNING', 'ERROR', 'INFO', 'CRITICAL'];
  const lines = Array.from({ length: 40 }, (_, i) => ({ level: levels[i % levels.length], message: i % 6 === 0 ? `Fetched page ${i}` : `parsed item ${i}` }));
  const { appendLogs } = await server.client({ apiKey: claimed.runner.apiKey }).data(
    `mutation($jobId: ID!, $logs: [LogLineInput!]!) { appendLogs(jobId: $jobId, batchId: "b1", logs: $logs) { __typename } }`,
    { jobId, logs: lines },
  );
  expect(appendLogs.__typename).toBe('MutationAppendLogsSuccess');
});

describe('totalCount', () => {
  it.each([
    // The 23 runs seeded and the one a runner has claimed.
    ['no filter', {}, 24],
    ['scraperId', { scraperId: 'shop' }, 15],
    ['status', { status: 'SUCCESS' }, 9],
    ['triggeredBy', { triggeredBy: 'SCHEDULER' }, 6],
    ['since', { since: 'recent' }, 11],
    ['scraperId and status', { scraperId: 'other', status: 'SUCCESS' }, 4],
    ['status, triggeredBy and since', { status: 'SUCCESS', triggeredBy: 'API', since: 'recent' }, 2],
  ])('of runs with %s is the number of runs paged through', async (_name, filter: Record<string, string>, expected) => {
    const variables = {
      filter: {
        ...filter,
        ...(filter.scraperId ? { scraperId: String(filter.scraperId === 'shop' ? shop : other) } : {}),
        ...(filter.since ? { since: new Date(Date.now() - 95 * 60_000).toISOString() } : {}),
      },
    };
    expect(await pageThrough(RUNS, 'runs', variables)).toEqual({ counts: [`${expected}:true`], items: expected });
  });

  it.each([
    ['no filter', {}, 7],
    ['status', { status: 'PENDING' }, 5],
    ['kind', { kind: 'PRICE_OUTLIER' }, 3],
    ['status and kind', { status: 'PENDING', kind: 'MISSING_FIELD' }, 2],
  ])('of flags with %s is the number of flags paged through', async (_name, filter, expected) => {
    expect(await pageThrough(FLAGS, 'flags', filter)).toEqual({ counts: [`${expected}:true`], items: expected });
  });

  it.each([
    ['no filter', {}, 40],
    ['minLevel WARNING', { minLevel: 'WARNING' }, 17],
    ['contains, in any case', { contains: 'FETCHED' }, 7],
    ['minLevel and contains', { minLevel: 'INFO', contains: 'page' }, 6],
  ])('of jobLogs with %s is the number of lines paged through', async (_name, filter, expected) => {
    expect(await pageThrough(LOGS, 'jobLogs', { jobId, ...filter })).toEqual({ counts: [`${expected}:true`], items: expected });
  });

  it('of jobLogs stays exact once retention has deleted the oldest lines', async () => {
    const { jobId: trimmed, runner } = await seedClaimedRun(server, db.pool);
    const lines = Array.from({ length: 12 }, (_, i) => ({ level: i % 2 ? 'ERROR' : 'INFO', message: `line ${i}` }));
    await server.client({ apiKey: runner.apiKey }).data(`mutation($jobId: ID!, $logs: [LogLineInput!]!) { appendLogs(jobId: $jobId, batchId: "b", logs: $logs) { __typename } }`, {
      jobId: trimmed,
      logs: lines,
    });
    await db.pool.query(`DELETE FROM log_line WHERE run_id = $1 AND seq <= 5`, [trimmed]);
    expect(await pageThrough(LOGS, 'jobLogs', { jobId: trimmed })).toEqual({ counts: ['7:true'], items: 7 });
    expect(await pageThrough(LOGS, 'jobLogs', { jobId: trimmed, minLevel: 'ERROR' })).toEqual({ counts: ['4:true'], items: 4 });
  });

  it('is answered alone, without a page', async () => {
    const { runs, flags } = await server.admin.data(`{ runs(filter: { status: ERROR }) { totalCount totalCountExact } flags(kind: DUPLICATE) { totalCount } }`);
    expect(runs).toEqual({ totalCount: 5, totalCountExact: true });
    expect(flags).toEqual({ totalCount: 1 });
  });

  it('is an estimate, flagged as one, when more rows than the bound would have to be walked', async () => {
    await db.pool.query('ANALYZE run');
    const exact = await countRuns(db.pool, { scraperId: shop }, 15);
    expect(exact).toEqual({ count: 15, exact: true });
    const estimated = await countRuns(db.pool, { scraperId: shop }, 14);
    expect(estimated.exact).toBe(false);
    expect(estimated.count).toBeGreaterThanOrEqual(15);
    // With a condition checked on the rows walked, never less than the matches the walk found.
    const checked = await countRuns(db.pool, { status: 'SUCCESS', triggeredBy: 'API' }, 5);
    expect(checked.exact).toBe(false);
    expect(checked.count).toBeGreaterThanOrEqual(5);

    const logs = await countLogLines(db.pool, { runId: Number(jobId), minLevels: null, contains: 'fetched' }, 20);
    // 4 of the first 21 lines match; applied to all 40 lines stored, that is 8 (the exact number is 7).
    expect(logs).toEqual({ count: 8, exact: false });
  });
});
