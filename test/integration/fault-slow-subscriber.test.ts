import { describe, expect, it } from 'vitest';
import { JOB_LOGS, batchLines, shipBatch } from '../helpers/logShipper.ts';
import { openRawSubscription } from '../helpers/rawSubscription.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

/** Lines a subscriber may have waiting on the server before it is dropped. */
const QUEUE_LIMIT = 200;
const BATCHES = 20;
const LINES_PER_BATCH = 50;
/** 50 lines of ~60 KB: 3 MB a batch, 60 MB in all, far past what the kernel's socket buffers absorb. */
const PADDING = 60_000;

const { db, server } = useTestServer({ subscriberQueueLimit: QUEUE_LIMIT });

/** The server's own count of live jobLogs subscriptions, from /metrics. */
async function jobLogsSubscribers(port = server.port): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('scrapedeck_subscribers{') && l.includes('subscription="jobLogs"'));
  if (!line) throw new Error('no jobLogs subscriber gauge in /metrics');
  return Number(line.split(' ').at(-1));
}

const seqsOf = (results: Array<{ data?: any }>) =>
  results.flatMap((r) => (r.data?.jobLogs.lines ?? []).map((l: { seq: number }) => l.seq));

describe('a subscriber that stops reading', () => {
  it('is dropped after a bounded backlog with SUBSCRIBER_TOO_SLOW and resumes with afterSeq, losing nothing', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const jobId = String(await insertRun(db.pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
    const runnerClient = () => server.client({ apiKey: runner.apiKey });
    const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

    const slow = await openRawSubscription(server.wsUrl, auth, JOB_LOGS, { jobId });
    await shipBatch(runnerClient, jobId, 'b1', batchLines(1, LINES_PER_BATCH, PADDING));
    await slow.waitFor(() => seqsOf(slow.results).length === LINES_PER_BATCH);
    expect(await jobLogsSubscribers()).toBe(1);

    // The tab freezes: nothing is read from its socket any more, while the run keeps logging.
    slow.pause();
    for (let b = 2; b <= BATCHES; b++) await shipBatch(runnerClient, jobId, `b${b}`, batchLines(b, LINES_PER_BATCH, PADDING));
    const total = BATCHES * LINES_PER_BATCH;

    // It wakes up: it reads what the server had written before giving up on it, then the error.
    slow.resume();
    await slow.waitFor(() => slow.errors.length > 0 || slow.completed);
    expect(slow.errors).toHaveLength(1);
    const error = slow.errors[0];
    expect(error.extensions.code).toBe('SUBSCRIBER_TOO_SLOW');
    const received = seqsOf(slow.results);
    expect(received.length).toBeLessThan(total);
    expect(received).toEqual(Array.from({ length: received.length }, (_, i) => i + 1));
    expect(error.extensions.resumeAfterSeq).toBe(received.length);
    // The connection survives; only the subscription that fell behind was ended.
    expect(slow.closed).toBeNull();
    slow.close();

    const resumed = await openRawSubscription(server.wsUrl, auth, JOB_LOGS, { jobId, afterSeq: error.extensions.resumeAfterSeq });
    await resumed.waitFor(() => seqsOf(resumed.results).length === total - received.length);
    expect([...received, ...seqsOf(resumed.results)]).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(resumed.errors).toEqual([]);
    resumed.close();
    // Both sockets gone, the server holds no subscription of them.
    await waitUntil(async () => (await jobLogsSubscribers()) === 0, 'the server to release both subscriptions');
  });

  it('is cut off by the keep-alive when it stops answering altogether, releasing its subscription', async () => {
    // A ping every 300 ms instead of every 12 s: cut off within two intervals of going silent.
    const pinging = await startTestServer(db.url, { websocketKeepAliveMs: 300 });
    try {
      const { scraperId } = await seedScraper(db.pool);
      const runner = await seedRunner(db.pool);
      const jobId = String(await insertRun(db.pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
      const silent = await openRawSubscription(pinging.wsUrl, { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, JOB_LOGS, { jobId });
      await shipBatch(() => pinging.client({ apiKey: runner.apiKey }), jobId, 'only', batchLines(1, 5));
      await silent.waitFor(() => seqsOf(silent.results).length === 5);
      // While it answers (ws answers every ping by itself), it stays, however many pings go by.
      let pings = 0;
      silent.socket.on('ping', () => pings++);
      await waitUntil(() => pings >= 3, 'three pings');
      expect(await jobLogsSubscribers(pinging.port)).toBe(1);
      expect(silent.closed).toBeNull();

      // No reads, so no pongs: the server's ping goes unanswered and it terminates the socket.
      silent.pause();
      await waitUntil(async () => (await jobLogsSubscribers(pinging.port)) === 0, 'the server to cut off the silent socket');
      silent.resume();
      await silent.waitFor(() => silent.closed !== null);
      expect(silent.closed!.code).toBe(1006);
    } finally {
      await pinging.stop();
    }
  });

  it('is dropped by the size of its backlog too, when few lines carry many bytes', async () => {
    // The default line limit (10 000) is never reached here: 1 000 lines of ~60 KB, 60 MB in all.
    const roomy = await startTestServer(db.url);
    try {
      const { scraperId } = await seedScraper(db.pool);
      const runner = await seedRunner(db.pool);
      const jobId = String(await insertRun(db.pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
      const slow = await openRawSubscription(roomy.wsUrl, { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, JOB_LOGS, { jobId });
      await shipBatch(() => roomy.client({ apiKey: runner.apiKey }), jobId, 'b1', batchLines(1, LINES_PER_BATCH, PADDING));
      await slow.waitFor(() => seqsOf(slow.results).length === LINES_PER_BATCH);
      slow.pause();
      for (let b = 2; b <= BATCHES; b++) {
        await shipBatch(() => roomy.client({ apiKey: runner.apiKey }), jobId, `b${b}`, batchLines(b, LINES_PER_BATCH, PADDING));
      }
      slow.resume();
      await slow.waitFor(() => slow.errors.length > 0 || slow.completed);
      expect(slow.errors[0].extensions).toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW', resumeAfterSeq: seqsOf(slow.results).length });
      expect(seqsOf(slow.results).length).toBeLessThan(BATCHES * LINES_PER_BATCH);
      slow.close();
    } finally {
      await roomy.stop();
    }
  });
});
