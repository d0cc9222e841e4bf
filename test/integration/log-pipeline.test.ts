import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const APPEND = /* GraphQL */ `
  mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
    appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) {
      __typename
      ... on MutationAppendLogsSuccess { data { fromSeq toSeq duplicate } }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
      ... on BatchTooLargeError { limit received }
    }
  }`;

const SUBSCRIBE = /* GraphQL */ `
  subscription Logs($jobId: ID!, $afterSeq: Int, $minLevel: LogLevel) {
    jobLogs(jobId: $jobId, afterSeq: $afterSeq, minLevel: $minLevel) { jobId lastSeq lines { seq level message } }
  }`;

const { db, server } = useTestServer();
let runner: Awaited<ReturnType<typeof seedRunner>>;
let jobId: string;

beforeAll(async () => {
  await seedScraper(db.pool);
  runner = await seedRunner(db.pool);
  const { scrapers } = await server.admin.data(`{ scrapers { id } }`);
  await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`, { id: scrapers[0].id });
  const claimed = await server.client({ apiKey: runner.apiKey }).data(`mutation { claimRun { ... on MutationClaimRunSuccess { data { id status } } } }`);
  jobId = claimed.claimRun.data.id;
});

const lines = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ level: i % 10 === 0 ? 'WARNING' : 'INFO', message: `${prefix} ${i}` }));

describe('appendLogs and jobLogs', () => {
  it('replays stored lines then streams new ones without a gap', async () => {
    const runnerClient = server.client({ apiKey: runner.apiKey });
    const first = await runnerClient.data(APPEND, { jobId, batchId: 'b1', logs: lines(5, 'before') });
    expect(first.appendLogs.data).toEqual({ fromSeq: 1, toSeq: 5, duplicate: false });

    const sub = collect(server.admin.ws(), SUBSCRIBE, { jobId, afterSeq: 0 });
    const seqs = () => sub.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.seq));
    await sub.waitFor(() => seqs().length >= 5);
    await runnerClient.data(APPEND, { jobId, batchId: 'b2', logs: lines(5, 'after') });
    await sub.waitFor(() => seqs().length >= 10);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    sub.dispose();
  });

  it('stores a retried batch once and answers the retry with the first range', async () => {
    const runnerClient = server.client({ apiKey: runner.apiKey });
    const once = await runnerClient.data(APPEND, { jobId, batchId: 'retry-me', logs: lines(3, 'r') });
    const again = await runnerClient.data(APPEND, { jobId, batchId: 'retry-me', logs: lines(3, 'r') });
    expect(again.appendLogs.data).toEqual({ ...once.appendLogs.data, duplicate: true });
  });
});
