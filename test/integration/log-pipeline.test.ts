import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { APPEND_LOGS, JOB_LOGS_BY_LEVEL } from '../helpers/logShipper.ts';
import { seedClaimedRun } from '../helpers/runs.ts';
import { type seedRunner } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer();
let runner: Awaited<ReturnType<typeof seedRunner>>;
let jobId: string;

beforeAll(async () => {
  ({ runner, jobId } = await seedClaimedRun(server, db.pool));
});

const lines = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ level: i % 10 === 0 ? 'WARNING' : 'INFO', message: `${prefix} ${i}` }));

describe('appendLogs and jobLogs', () => {
  it('replays stored lines then streams new ones without a gap', async () => {
    const runnerClient = server.client({ apiKey: runner.apiKey });
    const first = await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'b1', logs: lines(5, 'before') });
    expect(first.appendLogs.data).toEqual({ fromSeq: 1, toSeq: 5, duplicate: false });

    const sub = collect(server.admin.ws(), JOB_LOGS_BY_LEVEL, { jobId, afterSeq: 0 });
    const seqs = () => sub.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.seq));
    await sub.waitFor(() => seqs().length >= 5);
    await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'b2', logs: lines(5, 'after') });
    await sub.waitFor(() => seqs().length >= 10);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    sub.dispose();
  });

  it('stores a retried batch once and answers the retry with the first range', async () => {
    const runnerClient = server.client({ apiKey: runner.apiKey });
    const once = await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'retry-me', logs: lines(3, 'r') });
    const again = await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'retry-me', logs: lines(3, 'r') });
    expect(again.appendLogs.data).toEqual({ ...once.appendLogs.data, duplicate: true });
  });
});
