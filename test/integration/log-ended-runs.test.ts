/**
 * A run's logs end with the run: once it is SUCCESS, WARNING, ERROR (lost or failed) or CANCELLED,
 * a new batch is refused with RunStateError and nothing is stored, while a retry of a batch stored
 * while the run was RUNNING still gets its first answer (the retry whose answer was lost).
 */
import { describe, expect, it } from 'vitest';
import { APPEND_LOGS } from '../helpers/logShipper.ts';
import { insertRunningRun, seedClaimedRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer();
const COMPLETE = `mutation($jobId: ID!, $status: RunStatus!) {
  completeRun(jobId: $jobId, result: { status: $status, productsFound: 1, productsProcessed: 1 }) { __typename } }`;
const CANCEL = `mutation($jobId: ID!) { cancelRun(jobId: $jobId) { __typename } }`;

const runState = async (jobId: string) =>
  (await db.pool.query(`SELECT status, last_seq AS "lastSeq", (SELECT count(*)::int FROM log_line WHERE run_id = $1) AS lines FROM run WHERE id = $1`, [jobId])).rows[0];

type Ending = { name: string; end(jobId: string, apiKey: string): Promise<void>; status: string };

const ENDINGS: Ending[] = [
  { name: 'completed as SUCCESS', status: 'SUCCESS', end: async (jobId, apiKey) => void (await server.client({ apiKey }).data(COMPLETE, { jobId, status: 'SUCCESS' })) },
  { name: 'completed as WARNING', status: 'WARNING', end: async (jobId, apiKey) => void (await server.client({ apiKey }).data(COMPLETE, { jobId, status: 'WARNING' })) },
  { name: 'completed as ERROR', status: 'ERROR', end: async (jobId, apiKey) => void (await server.client({ apiKey }).data(COMPLETE, { jobId, status: 'ERROR' })) },
  { name: 'cancelled by an admin', status: 'CANCELLED', end: async (jobId) => void (await server.admin.data(CANCEL, { jobId })) },
  {
    name: 'lost (its lease expired)',
    status: 'ERROR',
    end: async (jobId) => {
      const { expireLeases } = await import('../../server/scheduler/sql/expireLeases.ts');
      await db.pool.query(`UPDATE run SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [jobId]);
      const expired = await expireLeases(db.pool, new Date(Date.now() + 1000));
      expect(expired.map((e) => String(e.runId))).toContain(jobId);
    },
  },
];

describe('appendLogs on a run that has ended', () => {
  it.each(ENDINGS.map((e) => [e.name, e] as const))('%s: refuses a new batch with RunStateError and stores nothing', async (_name, ending) => {
    const { runner, jobId } = await seedClaimedRun(server, db.pool);
    const runnerClient = server.client({ apiKey: runner.apiKey });
    const logs = [{ level: 'INFO', message: 'while running' }];
    const stored = (await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'live', logs })).appendLogs;
    expect(stored.data).toEqual({ fromSeq: 1, toSeq: 1, duplicate: false });

    await ending.end(jobId, runner.apiKey);
    const before = await runState(jobId);
    expect(before).toEqual({ status: ending.status, lastSeq: 1, lines: 1 });

    const refused = (await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'after-the-end', logs: [{ level: 'ERROR', message: 'too late' }] })).appendLogs;
    expect(refused).toMatchObject({ __typename: 'RunStateError', runId: jobId, status: ending.status });
    expect(refused.message).toMatch(new RegExp(`is ${ending.status}, not RUNNING`));
    expect(await runState(jobId)).toEqual(before);

    // The batch stored while the run was RUNNING, sent again: its first answer, nothing stored.
    const retried = (await runnerClient.data(APPEND_LOGS, { jobId, batchId: 'live', logs })).appendLogs;
    expect(retried.data).toEqual({ fromSeq: 1, toSeq: 1, duplicate: true });
    expect(await runState(jobId)).toEqual(before);
  });

  it("tells another runner only that the run does not exist, ended or not", async () => {
    const { scraperId } = await seedScraper(db.pool);
    const jobId = await insertRunningRun(db.pool, scraperId, (await seedRunner(db.pool)).runnerId);
    const intruder = server.client({ apiKey: (await seedRunner(db.pool)).apiKey });
    await server.admin.data(CANCEL, { jobId });
    const refused = (await intruder.data(APPEND_LOGS, { jobId, batchId: 'x', logs: [{ level: 'INFO', message: 'x' }] })).appendLogs;
    expect(refused).toEqual({ __typename: 'NotFoundError', message: `Run ${jobId} does not exist`, entity: 'Run', id: jobId });
  });
});
