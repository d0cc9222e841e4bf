/** jobLogs history cursors: opaque like the other connections', and a cursor that is not one of ours is an error. */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedClaimedRun } from '../helpers/runs.ts';
import { useTestServer } from '../helpers/server.ts';

const APPEND = /* GraphQL */ `
  mutation($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
    appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) { __typename }
  }`;

const HISTORY = /* GraphQL */ `
  query($jobId: ID!, $first: Int, $after: String) {
    jobLogs(jobId: $jobId, first: $first, after: $after) {
      edges { cursor node { seq } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

const { db, server } = useTestServer();
let jobId: string;

beforeAll(async () => {
  const claimed = await seedClaimedRun(server, db.pool);
  jobId = claimed.jobId;
  const logs = Array.from({ length: 5 }, (_, i) => ({ level: 'INFO', message: `line ${i + 1}` }));
  const appended = await server.client({ apiKey: claimed.runner.apiKey }).data(APPEND, { jobId, batchId: 'five', logs });
  expect(appended.appendLogs.__typename).toBe('MutationAppendLogsSuccess');
});

describe('jobLogs history cursors', () => {
  it('are opaque: base64 of LogLine:<seq>, and page on from where the last page ended', async () => {
    const first = (await server.admin.data(HISTORY, { jobId, first: 2 })).jobLogs;
    expect(first.edges.map((e: any) => e.node.seq)).toEqual([1, 2]);
    expect(first.edges.map((e: any) => e.cursor)).toEqual(['TG9nTGluZTox', 'TG9nTGluZToy']);
    expect(Buffer.from(first.pageInfo.endCursor, 'base64').toString()).toBe('LogLine:2');
    const rest = (await server.admin.data(HISTORY, { jobId, first: 10, after: first.pageInfo.endCursor })).jobLogs;
    expect(rest.edges.map((e: any) => e.node.seq)).toEqual([3, 4, 5]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    // Past the end: an empty page that keeps the cursor, so a poller can ask again later.
    const past = (await server.admin.data(HISTORY, { jobId, after: rest.pageInfo.endCursor })).jobLogs;
    expect(past).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: rest.pageInfo.endCursor } });
  });

  const malformed: Array<[string, string]> = [
    ['a plain seq number', '2'],
    ['garbage', 'not a cursor'],
    ['base64 of something else', Buffer.from('Run:2').toString('base64')],
    ['a cursor of a negative seq', Buffer.from('LogLine:-1').toString('base64')],
    ['a cursor of a seq with junk after it', Buffer.from('LogLine:2x').toString('base64')],
    ['a cursor with stray characters', `${Buffer.from('LogLine:2').toString('base64')}!!`],
    ['an oversize cursor', 'A'.repeat(10_000)],
  ];

  it.each(malformed)('refuses %s with BAD_USER_INPUT instead of reading from the start', async (_label, after) => {
    const result = await server.admin.request(HISTORY, { jobId, first: 2, after });
    expect(result.data?.jobLogs ?? null).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      message: 'after is not a jobLogs cursor: pass the endCursor of an earlier page',
      path: ['jobLogs'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
