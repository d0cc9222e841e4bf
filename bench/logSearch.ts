/**
 * Log search at scale: searchLogs p50/p99 for a rare and a common term over the bulk lines, and
 * ingest through appendLogs with the search index against ingest without it, on the same table,
 * turn and turn about (so that drift of a busy machine lands on both sides alike).
 */
import type pg from 'pg';
import { LOG_LEVELS, levelRank, type LogLevelName } from '../contract/logLevels.ts';
import { holdConnection } from '../server/db/heldConnection.ts';
import { findLogMatches } from '../server/logs/search/findLogMatches.ts';
import { graphql, type Credentials } from './client.ts';
import { settle } from './database.ts';
import { ingestThroughApi } from './ingest.ts';
import { runningRuns, type RunnerWithRun } from './fixtures.ts';
import type { BenchSizes } from './sizes.ts';
import { latency, round, type Latency } from './stats.ts';

/** The index searchLogs uses, as the migration creates it (prisma/migrations/20261207130000_log_search). */
export const SEARCH_INDEX: SearchIndex = {
  name: 'log_line_message_search_idx',
  create: `CREATE INDEX log_line_message_search_idx ON log_line USING gin (message gin_trgm_ops) WHERE level = ANY (ARRAY['ERROR'::"LogLevel", 'CRITICAL'::"LogLevel"])`,
  // searchLogs' default minLevel: the lines this index holds.
  filter: { minLevel: 'ERROR' },
};

/** A candidate index, and the filter a search needs to be able to use it. */
export type SearchIndex = { name: string; create: string; filter?: { minLevel: string } };

/** One line in RARE_EVERY carries the rare term; the common one (page=1, page=10..199) is in about one line in nine, at every level. */
const RARE_EVERY = 100_000;
const SEARCH_TERMS = { rare: '403 Forbidden', common: 'page=1' } as const;

const SEARCH = `query Search($query: String!, $filter: LogSearchFilter) {
  searchLogs(query: $query, filter: $filter, first: 20) {
    __typename
    ... on QuerySearchLogsSuccess { data { edges { node { id seq level message matches { start length } run { id } scraper { id } } } } }
    ... on Error { message }
  }
}`;

type SearchFigures = { term: string; matches: number; api: Latency };
export type LogSearchFigures = {
  lines: number;
  index: { name: string; buildSeconds: number; bytes: number };
  search: { rare: SearchFigures; common: SearchFigures; rareWithoutIndex: Latency; commonWithoutIndex: Latency };
  ingest: { withIndex: number; withoutIndex: number; ratio: number; rounds: number };
};

/** Makes every RARE_EVERY-th bulk line an upstream refusal, so that the rare term has a known handful of matches. */
async function markRareLines(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE log_line SET message = 'GET https://shop.example.com/catalog?page=' || seq || ' 403 Forbidden after ' || seq % 997 || 'ms', level = 'ERROR'
      WHERE seq % $1 = 0 OR (run_id * 7919 + seq) % $1 = 0`,
    [RARE_EVERY],
  );
  return rowCount ?? 0;
}

export async function dropSearchIndex(pool: pg.Pool, index = SEARCH_INDEX): Promise<void> {
  await pool.query(`DROP INDEX IF EXISTS ${index.name}`);
}

async function createSearchIndex(pool: pg.Pool, index = SEARCH_INDEX): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  // One connection: the setting must hold for the build.
  const { client, release } = await holdConnection(pool);
  try {
    await client.query(`SET maintenance_work_mem = '512MB'`);
    await client.query(index.create);
  } finally {
    release();
  }
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await pool.query<{ bytes: number }>(`SELECT pg_relation_size($1::regclass)::float8 AS bytes`, [index.name]);
  return { seconds, bytes: rows[0]!.bytes };
}

async function apiLatency(httpUrl: string, viewer: Credentials, term: string, iterations: number, filter?: object): Promise<SearchFigures> {
  const samples: number[] = [];
  let matches = 0;
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    const { searchLogs } = await graphql(httpUrl, viewer, SEARCH, { query: term, filter });
    samples.push(performance.now() - started);
    if (searchLogs.__typename !== 'QuerySearchLogsSuccess') throw new Error(`searchLogs: ${searchLogs.__typename} ${searchLogs.message ?? ''}`);
    matches = searchLogs.data.edges.length;
  }
  return { term, matches, api: latency(samples) };
}

/** The same SQL searchLogs runs, without its timeout: how long a search takes where no index helps. */
async function sqlLatency(pool: pg.Pool, term: string, iterations: number, levels: LogLevelName[] | null): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await findLogMatches(pool, 600, { query: term, scraperId: null, levels, since: null, until: null, after: null, limit: 21 });
    samples.push(performance.now() - started);
  }
  return latency(samples);
}

/**
 * The whole phase over lines already loaded: rare lines marked, searches with the index and without it,
 * then ingest without and with the index, alternating for `rounds` rounds of `seconds` each.
 */
export async function measureLogSearch(options: {
  pool: pg.Pool;
  httpUrl: string;
  viewer: Credentials;
  /** Fresh runners with running runs for each ingest turn: a run whose runner stays silent for minutes is judged lost. */
  runners: () => Promise<RunnerWithRun[]>;
  iterations: number;
  ingest: { batchLines: number; seconds: number; rounds: number };
  say(message: string): void;
  index?: SearchIndex;
}): Promise<LogSearchFigures> {
  const { pool, httpUrl, viewer, say } = options;
  const index = options.index ?? SEARCH_INDEX;
  const levels = index.filter ? LOG_LEVELS.filter((l) => levelRank(l) >= levelRank(index.filter!.minLevel as LogLevelName)) : null;
  await markRareLines(pool);
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM log_line`);
  await dropSearchIndex(pool, index);
  await settle(pool);
  // Without the index, a search reads every line: a few samples say enough.
  const slowIterations = Math.max(3, Math.min(5, options.iterations));
  const rareWithoutIndex = await sqlLatency(pool, SEARCH_TERMS.rare, slowIterations, levels);
  const commonWithoutIndex = await sqlLatency(pool, SEARCH_TERMS.common, slowIterations, levels);
  say(`  without index: rare p50 ${round(rareWithoutIndex.p50)} ms, common p50 ${round(commonWithoutIndex.p50)} ms`);
  const built = await createSearchIndex(pool, index);
  say(`  ${index.name} built in ${round(built.seconds, 1)} s, ${Math.round(built.bytes / 2 ** 20)} MB`);
  await settle(pool);
  const rare = await apiLatency(httpUrl, viewer, SEARCH_TERMS.rare, options.iterations, index.filter);
  const common = await apiLatency(httpUrl, viewer, SEARCH_TERMS.common, options.iterations, index.filter);
  say(`  searchLogs rare p50 ${round(rare.api.p50)} ms, p99 ${round(rare.api.p99)} ms; common p50 ${round(common.api.p50)} ms, p99 ${round(common.api.p99)} ms`);

  let withIndex = 0;
  let withoutIndex = 0;
  for (let round = 0; round < options.ingest.rounds; round++) {
    await dropSearchIndex(pool, index);
    await settle(pool);
    withoutIndex += (await ingestThroughApi(httpUrl, await options.runners(), options.ingest)).linesPerSecond;
    await createSearchIndex(pool, index);
    await settle(pool);
    withIndex += (await ingestThroughApi(httpUrl, await options.runners(), options.ingest)).linesPerSecond;
  }
  const ingest = {
    withIndex: Math.round(withIndex / options.ingest.rounds),
    withoutIndex: Math.round(withoutIndex / options.ingest.rounds),
    ratio: withIndex / withoutIndex,
    rounds: options.ingest.rounds,
  };
  say(`  ingest with index ${ingest.withIndex} lines/s, without ${ingest.withoutIndex} lines/s, ratio ${ingest.ratio.toFixed(3)}`);
  return {
    lines: rows[0]!.n,
    index: { name: index.name, buildSeconds: built.seconds, bytes: built.bytes },
    search: { rare, common, rareWithoutIndex, commonWithoutIndex },
    ingest,
  };
}

/** The phase of `npm run bench`, over the bulk lines loaded without the index (see dropSearchIndex). */
export async function logSearchPhase(pool: pg.Pool, httpUrl: string, viewer: Credentials, sizes: BenchSizes, say: (message: string) => void): Promise<LogSearchFigures> {
  return measureLogSearch({
    pool,
    httpUrl,
    viewer,
    runners: () => runningRuns(pool, sizes.ingestRunners, `search-ingest-${Date.now()}`),
    iterations: sizes.queryIterations,
    ingest: { batchLines: sizes.ingestBatchLines, seconds: sizes.ingestSeconds, rounds: sizes.scale === 'full' ? 2 : 1 },
    say,
  });
}

type Row = [figure: string, value: string, ceiling: string, ratio: string, target: string];

export function logSearchRows(f: LogSearchFigures): Row[] {
  const ms = (value: number) => `${round(value, 2)} ms`;
  const lines = f.lines.toLocaleString('en-US');
  const search = (s: SearchFigures, without: Latency, kind: string): Row => [
    `searchLogs(first: 20), ${kind} term "${s.term}" over ${lines} lines (${index(f)})`,
    `p50 ${ms(s.api.p50)}, p99 ${ms(s.api.p99)}`,
    `without the index (SQL): p50 ${ms(without.p50)}, p99 ${ms(without.p99)}`,
    '',
    'p99 < 1 s',
  ];
  return [
    search(f.search.rare, f.search.rareWithoutIndex, 'rare'),
    search(f.search.common, f.search.commonWithoutIndex, 'common'),
    [
      `ingest with the log search index, ${f.ingest.rounds} round(s) each way on ${lines} lines`,
      `${f.ingest.withIndex.toLocaleString('en-US')} lines/s`,
      `without it ${f.ingest.withoutIndex.toLocaleString('en-US')} lines/s`,
      `${round(f.ingest.ratio, 3)}`,
      '≥ 0.90',
    ],
  ];
}

const index = (f: LogSearchFigures) => `${f.index.name}, ${Math.round(f.index.bytes / 2 ** 20)} MB, built in ${round(f.index.buildSeconds, 1)} s`;
