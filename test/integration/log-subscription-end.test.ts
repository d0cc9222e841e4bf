/**
 * A jobLogs subscription ends with its run: after the last line of a run that has ended, a final
 * event says the run's status (and names the attempt retrying it) and the subscription completes,
 * so a tailing client knows it is over. Subscribing to a run that has ended replays and completes.
 */
import { describe, expect, it } from 'vitest';
import { expireLeases } from '../../server/scheduler/sql/expireLeases.ts';
import { collect } from '../helpers/graphql.ts';
import { APPEND_LOGS } from '../helpers/logShipper.ts';
import { insertRun, seedClaimedRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
import { startTestServer, useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer();

const TAIL = /* GraphQL */ `
  subscription Tail($jobId: ID!, $afterSeq: Int, $minLevel: LogLevel) {
    jobLogs(jobId: $jobId, afterSeq: $afterSeq, minLevel: $minLevel) {
      lastSeq
      lines { seq level message }
      ended { status retry { id retryCount } }
    }
  }`;
const COMPLETE = `mutation($jobId: ID!, $status: RunStatus!) {
  completeRun(jobId: $jobId, result: { status: $status, productsFound: 1, productsProcessed: 1 }) { __typename } }`;

const lines = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ level: (from + i) % 4 === 0 ? 'ERROR' : 'INFO', message: `line ${from + i}` }));
const seqsOf = (sub: ReturnType<typeof collect>) => sub.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.seq));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the end of a jobLogs subscription', () => {
  it('sends every line, then a final event with the status, then completes, for every live subscriber', async () => {
    const { runner, jobId } = await seedClaimedRun(server, db.pool);
    const runnerClient = server.client({ apiKey: runner.apiKey });
    await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'b1', logs: lines(1, 5) });
    const ws = server.admin.ws();
    const subscribers = Array.from({ length: 20 }, () => collect(ws, TAIL, { jobId }));
    for (const sub of subscribers) await sub.waitFor(() => seqsOf(sub).length === 5);
    await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'b2', logs: lines(6, 5) });
    await runnerClient.data(COMPLETE, { jobId, status: 'SUCCESS' });

    for (const sub of subscribers) {
      await sub.waitFor(() => sub.completed);
      expect(seqsOf(sub)).toEqual(range(1, 10));
      expect(sub.events.at(-1).jobLogs).toEqual({ lastSeq: 10, lines: [], ended: { status: 'SUCCESS', retry: null } });
      // Only the last event carries the end.
      expect(sub.events.slice(0, -1).every((e: any) => e.jobLogs.ended === null)).toBe(true);
      expect(sub.errors).toEqual([]);
    }
    await ws.dispose();
  });

  it('names the attempt that retries a lost run', async () => {
    const { runner, jobId } = await seedClaimedRun(server, db.pool);
    await server.client({ apiKey: runner.apiKey }).data(APPEND_LOGS, { jobId, batchId: 'b1', logs: lines(1, 3) });
    const ws = server.admin.ws();
    const sub = collect(ws, TAIL, { jobId });
    await sub.waitFor(() => seqsOf(sub).length === 3);
    await db.pool.query(`UPDATE run SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [jobId]);
    const [expired] = await expireLeases(db.pool, new Date(Date.now() + 1000));
    await sub.waitFor(() => sub.completed);
    expect(sub.events.at(-1).jobLogs.ended).toEqual({ status: 'ERROR', retry: { id: String(expired!.retryRunId), retryCount: 1 } });
    await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE status = 'QUEUED'`);
    await ws.dispose();
  });

  it('replays a run that has ended and completes, from any afterSeq and with any level filter', async () => {
    const { runner, jobId } = await seedClaimedRun(server, db.pool);
    await server.client({ apiKey: runner.apiKey }).data(APPEND_LOGS, { jobId, batchId: 'b1', logs: lines(1, 12) });
    await server.client({ apiKey: runner.apiKey }).data(COMPLETE, { jobId, status: 'WARNING' });
    const ws = server.admin.ws();

    const whole = collect(ws, TAIL, { jobId });
    await whole.waitFor(() => whole.completed);
    expect(seqsOf(whole)).toEqual(range(1, 12));
    expect(whole.events.at(-1).jobLogs).toEqual({ lastSeq: 12, lines: [], ended: { status: 'WARNING', retry: null } });

    const rest = collect(ws, TAIL, { jobId, afterSeq: 7 });
    await rest.waitFor(() => rest.completed);
    expect(seqsOf(rest)).toEqual(range(8, 12));

    const errorsOnly = collect(ws, TAIL, { jobId, minLevel: 'ERROR' });
    await errorsOnly.waitFor(() => errorsOnly.completed);
    expect(seqsOf(errorsOnly)).toEqual([4, 8, 12]);
    expect(errorsOnly.events.at(-1).jobLogs.lastSeq).toBe(12);

    const past = collect(ws, TAIL, { jobId, afterSeq: 12 });
    await past.waitFor(() => past.completed);
    expect(past.events).toEqual([{ jobLogs: { lastSeq: 12, lines: [], ended: { status: 'WARNING', retry: null } } }]);
    await ws.dispose();
  });

  it('completes at once for a run cancelled before it started', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const jobId = String(await insertRun(db.pool, { scraperId, status: 'CANCELLED' }));
    const ws = server.admin.ws();
    const sub = collect(ws, TAIL, { jobId });
    await sub.waitFor(() => sub.completed);
    expect(sub.events).toEqual([{ jobLogs: { lastSeq: 0, lines: [], ended: { status: 'CANCELLED', retry: null } } }]);
    await ws.dispose();
  });

  it('completes the subscribers of another instance when the run ends through this one', async () => {
    const other = await startTestServer(db.url);
    try {
      const { runner, jobId } = await seedClaimedRun(server, db.pool);
      const runnerClient = server.client({ apiKey: runner.apiKey });
      const ws = other.admin.ws();
      const sub = collect(ws, TAIL, { jobId });
      await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'b1', logs: lines(1, 4) });
      await sub.waitFor(() => seqsOf(sub).length === 4);
      await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'b2', logs: lines(5, 4) });
      await runnerClient.data(COMPLETE, { jobId, status: 'ERROR' });
      await sub.waitFor(() => sub.completed);
      expect(seqsOf(sub)).toEqual(range(1, 8));
      expect(sub.events.at(-1).jobLogs.ended).toEqual({ status: 'ERROR', retry: null });
      await ws.dispose();
    } finally {
      await other.stop();
    }
  });
});
