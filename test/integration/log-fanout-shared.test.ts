/**
 * jobLogs events are executed and serialised once for all subscribers that asked the same thing;
 * subscribers that differ in filter, selection or selection-set variables must each still get
 * exactly their own answer.
 */
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

const WITH_OPTIONAL_LEVEL = /* GraphQL */ `
  subscription Logs($jobId: ID!, $afterSeq: Int, $withLevel: Boolean!) {
    jobLogs(jobId: $jobId, afterSeq: $afterSeq) { lastSeq lines { seq message level @include(if: $withLevel) } }
  }`;

const ALIASED = /* GraphQL */ `
  subscription Aliased($jobId: ID!) {
    logs: jobLogs(jobId: $jobId) { last: lastSeq lines { n: seq } }
  }`;

const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ level: (from + i) % 3 === 0 ? 'ERROR' : 'INFO', message: `line ${from + i}` }));

describe('shared jobLogs results', () => {
  it('gives every subscriber its own filter, selection and variables while events are shared', async () => {
    const runnerClient = server.client({ apiKey: runner.apiKey });
    await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'first', logs: batch(1, 6) });

    const all = [0, 1].map(() => collect(server.admin.ws(), JOB_LOGS_BY_LEVEL, { jobId, afterSeq: 0 }));
    const fromFour = collect(server.admin.ws(), JOB_LOGS_BY_LEVEL, { jobId, afterSeq: 4 });
    const errorsOnly = collect(server.admin.ws(), JOB_LOGS_BY_LEVEL, { jobId, afterSeq: 0, minLevel: 'ERROR' });
    const withLevel = collect(server.admin.ws(), WITH_OPTIONAL_LEVEL, { jobId, afterSeq: 0, withLevel: true });
    const withoutLevel = collect(server.admin.ws(), WITH_OPTIONAL_LEVEL, { jobId, afterSeq: 0, withLevel: false });
    const aliased = collect(server.admin.ws(), ALIASED, { jobId });
    const subs = [...all, fromFour, errorsOnly, withLevel, withoutLevel, aliased];

    const lastSeq = (sub: (typeof subs)[number]) => {
      const last = sub.events.at(-1) as any;
      return last ? (last.jobLogs?.lastSeq ?? last.logs.last) : 0;
    };
    await Promise.all(subs.map((sub) => sub.waitFor(() => lastSeq(sub) >= 6)));
    // Live batches now reach every subscriber through the hub's shared read.
    for (let b = 0; b < 3; b++) await runnerClient.data(APPEND_LOGS, { jobId, batchId: `live-${b}`, logs: batch(7 + b * 4, 4) });
    await Promise.all(subs.map((sub) => sub.waitFor(() => lastSeq(sub) >= 18)));

    const lines = (sub: (typeof subs)[number]) => sub.events.flatMap((e: any) => e.jobLogs.lines);
    const expected = batch(1, 18).map((l, i) => ({ seq: i + 1, level: l.level, message: l.message }));
    for (const sub of all) expect(lines(sub)).toEqual(expected);
    expect(lines(fromFour)).toEqual(expected.slice(4));
    expect(lines(errorsOnly)).toEqual(expected.filter((l) => l.level === 'ERROR'));
    expect(lines(withLevel)).toEqual(expected.map(({ seq, message, level }) => ({ seq, message, level })));
    expect(lines(withoutLevel)).toEqual(expected.map(({ seq, message }) => ({ seq, message })));
    expect(aliased.events.flatMap((e: any) => e.logs.lines.map((l: any) => l.n))).toEqual(expected.map((l) => l.seq));
    for (const sub of subs) {
      expect(sub.errors).toEqual([]);
      sub.dispose();
    }
  });
});
