import { beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { tolerateConnectionLoss } from '../helpers/connectionLoss.ts';
import type { GraphQLTestClient } from '../helpers/graphql.ts';
import { insertRun, seedClaimedRun } from '../helpers/runs.ts';
import { seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

// One connection for searches and a short timeout: the timeout test proves that connection comes back.
const { db, server } = useTestServer({ logSearchTimeoutSeconds: 0.5, logSearchPoolSize: 1 });

const SEARCH = `query($query: String!, $filter: LogSearchFilter, $first: Int, $after: String) {
  searchLogs(query: $query, filter: $filter, first: $first, after: $after) {
    __typename
    ... on QuerySearchLogsSuccess {
      data {
        edges { cursor node { id seq level message timestamp run { id } scraper { id slug } matches { start length } } }
        pageInfo { hasNextPage endCursor }
      }
    }
    ... on ValidationError { issues { path message } }
    ... on LogSearchTimeoutError { message seconds }
    ... on NotFoundError { entity id }
  }
}`;

type Line = { level?: string; message: string; receivedMinutesAgo?: number };
let viewer: GraphQLTestClient;
let scraperA: number;
let scraperB: number;
let runA1: number;
let runA2: number;
let runB1: number;
let appendedRunId: string;
let runnerKey: string;

/** Stores lines of a run with seq after its last, received that many minutes ago (now by default). */
async function insertLines(runId: number, lines: Line[]): Promise<void> {
  const { rows } = await db.pool.query<{ last_seq: number }>(`UPDATE run SET last_seq = last_seq + $2 WHERE id = $1 RETURNING last_seq`, [runId, lines.length]);
  const first = rows[0]!.last_seq - lines.length + 1;
  await db.pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, "timestamp", received_at)
     SELECT $1, $2 + i - 1, l.level::"LogLevel", l.message, now(), now() - l.ago * interval '1 minute'
       FROM unnest($3::text[], $4::text[], $5::float8[]) WITH ORDINALITY AS l(level, message, ago, i)`,
    [runId, first, lines.map((l) => l.level ?? 'INFO'), lines.map((l) => l.message), lines.map((l) => l.receivedMinutesAgo ?? 0)],
  );
}

async function search(query: string, variables: { filter?: object; first?: number; after?: string } = {}, client = viewer) {
  const { searchLogs } = await client.data(SEARCH, { query, ...variables });
  return searchLogs;
}

const ids = async (query: string, filter?: object) => {
  const result = await search(query, { filter, first: 100 });
  expect(result.__typename).toBe('QuerySearchLogsSuccess');
  return result.data.edges.map((e: { node: { id: string } }) => e.node.id);
};

beforeAll(async () => {
  viewer = server.client({ token: (await seedToken(db.pool, 'VIEWER')).token });
  ({ scraperId: scraperA } = await seedScraper(db.pool, { slug: 'search-a' }));
  ({ scraperId: scraperB } = await seedScraper(db.pool, { slug: 'search-b' }));
  runA1 = await insertRun(db.pool, { scraperId: scraperA, status: 'ERROR', queuedMinutesAgo: 3000 });
  runB1 = await insertRun(db.pool, { scraperId: scraperB, status: 'SUCCESS', queuedMinutesAgo: 2000 });
  runA2 = await insertRun(db.pool, { scraperId: scraperA, status: 'WARNING', queuedMinutesAgo: 100 });
  await insertLines(runA1, [
    { message: 'GET /catalog 200 OK', receivedMinutesAgo: 3000 },
    { level: 'ERROR', message: 'GET /catalog?page=2 403 Forbidden', receivedMinutesAgo: 3000 },
    { level: 'DEBUG', message: 'retrying after 403 forbidden', receivedMinutesAgo: 2999 },
  ]);
  await insertLines(runB1, [
    { level: 'ERROR', message: 'upstream said 403 FORBIDDEN twice: 403 Forbidden', receivedMinutesAgo: 2000 },
    { level: 'ERROR', message: 'price 100% off for sku a_b', receivedMinutesAgo: 2000 },
    { level: 'ERROR', message: 'price 100 percent off for sku axb', receivedMinutesAgo: 2000 },
    { level: 'ERROR', message: 'path C:\\scrapes\\out and "double" and it\'s single', receivedMinutesAgo: 2000 },
    { level: 'ERROR', message: 'path C:scrapes and double and its single', receivedMinutesAgo: 2000 },
    { level: 'WARNING', message: 'slow: 403 Forbidden once', receivedMinutesAgo: 2000 },
  ]);
  await insertLines(runA2, [
    { level: 'CRITICAL', message: '🕷️ crawled 😀 Forbidden by robots.txt', receivedMinutesAgo: 90 },
    { level: 'INFO', message: 'İstanbul proxy 403 Forbidden', receivedMinutesAgo: 60 },
  ]);
  // A running run's lines, stored through appendLogs as a runner stores them.
  const claimed = await seedClaimedRun(server, db.pool);
  appendedRunId = claimed.jobId;
  runnerKey = claimed.runner.apiKey;
  const appended = await server.client({ apiKey: runnerKey }).data(
    `mutation($jobId: ID!) { appendLogs(jobId: $jobId, batchId: "b1", logs: [{ level: ERROR, message: "live 403 Forbidden from the API" }, { level: INFO, message: "fine" }]) { __typename } }`,
    { jobId: appendedRunId },
  );
  expect(appended.appendLogs.__typename).toBe('MutationAppendLogsSuccess');
});

describe('searchLogs', () => {
  it('finds lines at ERROR and above across runs and scrapers, newest first by run then seq, with their run and scraper', async () => {
    const result = await search('403 forbidden');
    expect(result.__typename).toBe('QuerySearchLogsSuccess');
    const nodes = result.data.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.id)).toEqual([`${appendedRunId}:1`, `${runB1}:1`, `${runA1}:2`]);
    expect(nodes[1]).toMatchObject({ seq: 1, level: 'ERROR', run: { id: String(runB1) }, scraper: { id: String(scraperB), slug: 'search-b' } });
    expect(nodes[2]).toMatchObject({ run: { id: String(runA1) }, scraper: { slug: 'search-a' }, level: 'ERROR' });
    expect(result.data.pageInfo.hasNextPage).toBe(false);
  });

  it('keeps only the scraper, the levels and the time window asked for', async () => {
    expect(await ids('403 forbidden', { scraperId: String(scraperB) })).toEqual([`${runB1}:1`]);
    expect(await ids('forbidden', { minLevel: 'CRITICAL' })).toEqual([`${runA2}:1`]);
    // Below ERROR no index holds the lines: a scraper (or a day) narrows the search.
    expect(await ids('forbidden', { minLevel: 'WARNING', scraperId: String(scraperB) })).toEqual([`${runB1}:6`, `${runB1}:1`]);
    expect(await ids('forbidden', { minLevel: 'DEBUG', scraperId: String(scraperA) })).toEqual([`${runA2}:2`, `${runA2}:1`, `${runA1}:3`, `${runA1}:2`]);
    expect((await search('forbidden', { filter: { minLevel: 'INFO' } })).__typename).toBe('ValidationError');
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    // since inclusive, until exclusive, by the time the server received the line.
    expect(await ids('forbidden', { since: minutesAgo(2500), until: minutesAgo(30) })).toEqual([`${runA2}:1`, `${runB1}:1`]);
    expect(await ids('forbidden', { until: minutesAgo(2500) })).toEqual([`${runA1}:2`]);
    expect(await ids('forbidden', { scraperId: String(scraperA), minLevel: 'DEBUG', since: minutesAgo(120) })).toEqual([`${runA2}:2`, `${runA2}:1`]);
  });

  it('pages with an opaque cursor: every match exactly once, newest first', async () => {
    const all = await ids('forbidden');
    expect(all).toEqual([`${appendedRunId}:1`, `${runA2}:1`, `${runB1}:1`, `${runA1}:2`]);
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await search('forbidden', { first: 1, after });
      const edges = result.data.edges;
      seen.push(...edges.map((e: any) => e.node.id));
      if (!result.data.pageInfo.hasNextPage) break;
      after = result.data.pageInfo.endCursor;
      expect(after).toBe(edges.at(-1).cursor);
    }
    expect(seen).toEqual(all);
    const forged = await viewer.request(SEARCH, { query: 'forbidden', after: Buffer.from('LogMatch:1:x').toString('base64') });
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('takes quotes, %, _ and backslashes literally', async () => {
    expect(await ids('100%')).toEqual([`${runB1}:2`]);
    // Without three letters or digits in a row no trigram narrows a search: a scraper does.
    expect(await ids('a_b', { scraperId: String(scraperB) })).toEqual([`${runB1}:2`]);
    expect(await ids('C:\\scrapes')).toEqual([`${runB1}:4`]);
    expect(await ids('"double"')).toEqual([`${runB1}:4`]);
    expect(await ids("it's", { scraperId: String(scraperB) })).toEqual([`${runB1}:4`]);
    // Unescaped, this pattern would match every line.
    expect(await ids('%_%', { scraperId: String(scraperB) })).toEqual([]);
  });

  it('gives every occurrence as UTF-16 offsets, whatever the case and whatever comes before', async () => {
    const result = await search('403 forbidden', { filter: { scraperId: String(scraperB) } });
    const twice = result.data.edges[0].node;
    expect(twice.matches).toEqual([{ start: 14, length: 13 }, { start: 35, length: 13 }]);
    expect(twice.matches.map((m: any) => twice.message.slice(m.start, m.start + m.length))).toEqual(['403 FORBIDDEN', '403 Forbidden']);

    const emoji = (await search('forbidden', { filter: { minLevel: 'CRITICAL' } })).data.edges[0].node;
    expect(emoji.matches).toEqual([{ start: emoji.message.indexOf('Forbidden'), length: 9 }]);
    expect(emoji.matches[0].start).toBe(15);

    const dotted = (await search('istanbul', { filter: { minLevel: 'INFO', scraperId: String(scraperA) } })).data.edges[0].node;
    expect(dotted.matches).toEqual([{ start: 0, length: 8 }]);
    expect(dotted.message.slice(0, 8)).toBe('İstanbul');
  });

  it('refuses a query too short for the index without a narrowing filter, before any work', async () => {
    // A lock no search could get past: a refusal that answers at once ran nothing against log_line.
    const blocker = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE log_line IN ACCESS EXCLUSIVE MODE');
      const refused = await search('40');
      expect(refused.__typename).toBe('ValidationError');
      expect(refused.issues).toEqual([{ path: 'query', message: expect.stringMatching(/without 3 letters or digits in a row, or a minLevel below ERROR, needs a narrowing filter/) }]);
      expect((await search('4', { filter: { since: new Date(Date.now() - 3 * 86_400_000).toISOString() } })).__typename).toBe('ValidationError');
      expect((await search('x'.repeat(201))).__typename).toBe('ValidationError');
      // Long enough, but nothing a trigram can be taken from.
      expect((await search('---')).__typename).toBe('ValidationError');
      expect((await search('a b 4')).__typename).toBe('ValidationError');
      expect((await search('abc', { first: 101 })).__typename).toBe('ValidationError');
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(await ids('40', { scraperId: String(scraperB) })).toEqual([`${runB1}:1`]);
    expect(await ids('40', { since: new Date(Date.now() - 12 * 3_600_000).toISOString() })).toEqual([`${appendedRunId}:1`]);
  });

  it('stops a search past its timeout with LogSearchTimeoutError, and its connection is back in the pool', async () => {
    const blocker = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
    await blocker.connect();
    let timedOut;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE log_line IN ACCESS EXCLUSIVE MODE');
      timedOut = await search('forbidden');
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(timedOut).toEqual({ __typename: 'LogSearchTimeoutError', seconds: 0.5, message: expect.stringMatching(/longer than 0.5 s/) });
    const { rows } = await db.pool.query(`SELECT state FROM pg_stat_activity WHERE application_name = 'scrapedeck-log-search'`);
    expect(rows.map((r) => r.state)).toEqual(['idle']);
    // The pool holds one connection: the next search gets it.
    expect(await ids('403 forbidden', { scraperId: String(scraperB) })).toEqual([`${runB1}:1`]);
  });

  it('answers viewers and admins, and refuses runners and anonymous callers', async () => {
    expect((await search('forbidden', {}, server.admin)).__typename).toBe('QuerySearchLogsSuccess');
    for (const client of [server.client({ apiKey: runnerKey }), server.client()]) {
      const refused = await client.request(SEARCH, { query: 'forbidden' });
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(refused.data).toBeNull();
    }
  });
});

