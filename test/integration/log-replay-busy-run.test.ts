/**
 * A new subscriber to a busy run: while it replays a long history, more lines arrive than its
 * queue may hold. It must neither be failed as "too slow" when it goes live (it never fell behind
 * a live stream) nor buffer without bound: it reads what it missed from the table instead.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { seedClaimedRun } from '../helpers/runs.ts';
import { type seedRunner } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const APPEND = `mutation($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
  appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) { __typename } }`;
const SUBSCRIBE = `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lastSeq lines { seq } } }`;
const HISTORY = 12_000;

// The smallest queue the configuration allows, so that a few live batches during the replay exceed it.
const { db, server } = useTestServer({ subscriberQueueLimit: 10 });
let runner: Awaited<ReturnType<typeof seedRunner>>;
let jobId: string;

beforeAll(async () => {
  ({ runner, jobId } = await seedClaimedRun(server, db.pool));
  // A long history, stored straight away (the seq bookkeeping as appendLogs keeps it).
  await db.pool.query(
    `WITH lines AS (INSERT INTO log_line (run_id, seq, level, message, "timestamp")
                    SELECT $1, s, 'INFO', 'history ' || s, now() FROM generate_series(1, $2::int) s)
     UPDATE run SET last_seq = $2, info_count = $2 WHERE id = $1`,
    [Number(jobId), HISTORY],
  );
});

describe('replaying a busy run', () => {
  it('delivers every line once, with no "too slow" failure, when more lines arrive during the replay than the queue holds', async () => {
    const ws = server.admin.ws();
    const sub = collect(ws, SUBSCRIBE, { jobId });
    const seqs = () => sub.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.seq));
    const client = server.client({ apiKey: runner.apiKey });
    // Append 50-line batches for as long as the subscriber is still replaying the history.
    let batches = 0;
    while (seqs().length < HISTORY && sub.errors.length === 0 && batches < 400) {
      batches++;
      const logs = Array.from({ length: 50 }, (_, i) => ({ level: 'INFO', message: `live ${batches}.${i}` }));
      await client.data(APPEND, { jobId, batchId: `live-${batches}`, logs });
    }
    const total = HISTORY + batches * 50;
    await sub.waitFor(() => seqs().length >= total || sub.errors.length > 0, 20_000);
    expect(sub.errors).toEqual([]);
    expect(seqs()).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    sub.dispose();
    await ws.dispose();
  });
});
