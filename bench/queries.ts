/** Queries at scale: p50/p99 of the admin's read queries, one request at a time, as a person browsing sees them. */
import { graphql, type Credentials } from './client.ts';
import { latency, type Latency } from './stats.ts';
import { encodeLogCursor } from '../server/logs/logCursor.ts';

type Probe = { name: string; query: string; variables: (i: number) => object };

const RUNS = `query Runs($filter: RunFilter) {
  runs(first: 50, filter: $filter) {
    edges { node { id status triggeredBy queuedAt completedAt durationSeconds scraper { id slug } } }
    pageInfo { endCursor hasNextPage }
  }
}`;

const JOB_LOGS = `query JobLogs($jobId: ID!, $after: String, $minLevel: LogLevel) {
  jobLogs(jobId: $jobId, first: 200, after: $after, minLevel: $minLevel) {
    edges { node { seq level message timestamp } }
    pageInfo { endCursor hasNextPage }
  }
}`;

/** The admin's runs list as it opens: the newest page of 20, unfiltered. */
export const RUNS_FIRST_PAGE = RUNS.replace('runs(first: 50, filter: $filter)', 'runs(first: 20, filter: $filter)');

/** The same pages with their totalCount, as a client showing "1–50 of N" asks for on every page. */
const RUNS_COUNTED = RUNS.replace('runs(first: 50, filter: $filter) {', 'runs(first: 50, filter: $filter) {\n    totalCount totalCountExact');
const JOB_LOGS_COUNTED = `query JobLogs($jobId: ID!, $after: String, $minLevel: LogLevel, $contains: String) {
  jobLogs(jobId: $jobId, first: 200, after: $after, minLevel: $minLevel, contains: $contains) {
    totalCount totalCountExact
    edges { node { seq level message timestamp } }
    pageInfo { endCursor hasNextPage }
  }
}`;

const SCRAPER_TRENDS = `query ScraperTrends($id: ID!) {
  scraperTrends(scraperId: $id, days: 90) {
    timezone
    days { day runs succeeded warned failed cancelled successRate durationP50 durationP95 productsFound warningLines errorLines }
  }
}`;

const SOURCE_TRENDS = `query SourceTrends($id: ID!) {
  sourceTrends(sourceId: $id, days: 90) {
    timezone
    days { day products missing { field count share } categories { category count share } outliers drift
           driftCategories { category share trailingShare change } }
  }
}`;

/** The trends charts: a scraper's and a source's 90 days, and every scraper card's 7-day sparkline in one request. */
export function trendProbes(data: { scraperIds: number[]; sourceIds: number[] }): Probe[] {
  const scraper = (i: number) => String(data.scraperIds[(i * 37) % data.scraperIds.length]);
  const source = (i: number) => String(data.sourceIds[(i * 13) % data.sourceIds.length]);
  return [
    { name: 'scraperTrends(days: 90)', query: SCRAPER_TRENDS, variables: (i) => ({ id: scraper(i) }) },
    { name: 'sourceTrends(days: 90)', query: SOURCE_TRENDS, variables: (i) => ({ id: source(i) }) },
    {
      name: 'scrapers { trends(days: 7) } (every card)',
      query: `{ scrapers { id slug trends { timezone days { day successRate productsFound } } } }`,
      variables: () => ({}),
    },
  ];
}

export function queryProbes(data: { scraperIds: number[]; sourceIds: number[]; replayRunId: number; replayLines: number }): Probe[] {
  const scraper = (i: number) => String(data.scraperIds[(i * 37) % data.scraperIds.length]);
  // Pages anywhere in the run: a cursor stands for the seq of a page's last line.
  const page = (i: number) => encodeLogCursor(Math.floor(((i * 7919) % 1000) / 1000 * data.replayLines));
  return [
    {
      name: 'health(days: 7)',
      query: `{ health(days: 7) { scraper { id name } runCount successRate averageDurationSeconds p95DurationSeconds
                runsByStatus { status count } lastRun { id status } lastSuccessAt } }`,
      variables: () => ({}),
    },
    { name: 'runs(first: 50)', query: RUNS, variables: () => ({}) },
    ...trendProbes(data),
    { name: 'runs(first: 50, scraperId)', query: RUNS, variables: (i) => ({ filter: { scraperId: scraper(i) } }) },
    { name: 'runs(first: 50, status: ERROR)', query: RUNS, variables: () => ({ filter: { status: 'ERROR' } }) },
    { name: 'runs(first: 50, status: RUNNING)', query: RUNS, variables: () => ({ filter: { status: 'RUNNING' } }) },
    { name: 'runs(first: 50, triggeredBy: MANUAL)', query: RUNS, variables: () => ({ filter: { triggeredBy: 'MANUAL' } }) },
    {
      name: 'runs(first: 50, since: 1 day ago)',
      query: RUNS,
      variables: () => ({ filter: { since: new Date(Date.now() - 86_400_000).toISOString() } }),
    },
    {
      name: 'runs(first: 50, scraperId, status: ERROR)',
      query: RUNS,
      variables: (i) => ({ filter: { scraperId: scraper(i), status: 'ERROR' } }),
    },
    {
      name: 'quality',
      query: `{ quality { missingFields { products missingThc missingCbd missingBrand missingThcRatio }
                bySource { source { id name } missingFields { products missingThcRatio } }
                categories { category count }
                priceOutliers(limit: 100) { price category q1 q3 product { id name } } } }`,
      variables: () => ({}),
    },
    { name: 'freshness', query: `{ freshness { source { id name } lastDeliveredAt ageSeconds status } }`, variables: () => ({}) },
    {
      name: 'jobLogs(first: 200) page, anywhere in the replay run',
      query: JOB_LOGS,
      variables: (i) => ({ jobId: String(data.replayRunId), after: page(i) }),
    },
    {
      name: 'jobLogs(first: 200, minLevel: ERROR) page',
      query: JOB_LOGS,
      variables: (i) => ({ jobId: String(data.replayRunId), after: page(i), minLevel: 'ERROR' }),
    },
    { name: 'runs(first: 50) + totalCount', query: RUNS_COUNTED, variables: () => ({}) },
    { name: 'runs(first: 50, scraperId) + totalCount', query: RUNS_COUNTED, variables: (i) => ({ filter: { scraperId: scraper(i) } }) },
    { name: 'runs(first: 50, status: ERROR) + totalCount', query: RUNS_COUNTED, variables: () => ({ filter: { status: 'ERROR' } }) },
    { name: 'runs(first: 50, triggeredBy: API) + totalCount', query: RUNS_COUNTED, variables: () => ({ filter: { triggeredBy: 'API' } }) },
    {
      name: 'runs(first: 50, since: 1 day ago) + totalCount',
      query: RUNS_COUNTED,
      variables: () => ({ filter: { since: new Date(Date.now() - 86_400_000).toISOString() } }),
    },
    {
      name: 'runs(first: 50, scraperId, status: ERROR) + totalCount',
      query: RUNS_COUNTED,
      variables: (i) => ({ filter: { scraperId: scraper(i), status: 'ERROR' } }),
    },
    {
      name: 'runs(first: 50, status: ERROR, triggeredBy: API) + totalCount',
      query: RUNS_COUNTED,
      variables: () => ({ filter: { status: 'ERROR', triggeredBy: 'API' } }),
    },
    {
      name: 'jobLogs(first: 200, minLevel: ERROR) page + totalCount',
      query: JOB_LOGS_COUNTED,
      variables: (i) => ({ jobId: String(data.replayRunId), after: page(i), minLevel: 'ERROR' }),
    },
    {
      name: 'jobLogs(first: 200, contains) page',
      query: JOB_LOGS_COUNTED.replace('totalCount totalCountExact', ''),
      variables: (i) => ({ jobId: String(data.replayRunId), contains: `page=${(i * 13) % 1000} ` }),
    },
    {
      name: 'jobLogs(first: 200, contains) page + totalCount',
      query: JOB_LOGS_COUNTED,
      variables: (i) => ({ jobId: String(data.replayRunId), contains: `page=${(i * 13) % 1000} ` }),
    },
  ];
}

export type QueryFigures = Latency & { name: string };

export async function measureQueries(httpUrl: string, viewer: Credentials, probes: Probe[], iterations: number): Promise<QueryFigures[]> {
  const results: QueryFigures[] = [];
  for (const probe of probes) {
    // Two untimed requests warm the server's plan and statement caches, as any running server has them.
    for (let i = 0; i < 2; i++) {
      await graphql(httpUrl, viewer, probe.query, probe.variables(i)).catch((error: Error) => {
        throw new Error(`query ${probe.name} failed`, { cause: error });
      });
    }
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const variables = probe.variables(i + 2);
      const started = performance.now();
      await graphql(httpUrl, viewer, probe.query, variables);
      samples.push(performance.now() - started);
    }
    results.push({ name: probe.name, ...latency(samples) });
  }
  return results;
}
