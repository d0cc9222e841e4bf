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

export function queryProbes(data: { scraperIds: number[]; replayRunId: number; replayLines: number }): Probe[] {
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
    { name: 'freshness', query: `{ freshness { source { id name } lastSuccessAt ageSeconds status } }`, variables: () => ({}) },
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
