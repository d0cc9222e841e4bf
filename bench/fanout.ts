/**
 * Fan-out latency: from the appendLogs request being sent to each subscriber receiving the line,
 * under a steady background ingest, beside its ceiling, a bare LISTEN/NOTIFY round trip measured
 * under the same background load (and, to tell PostgreSQL's commit from the server's own work, the
 * round trip of one line inserted and notified in one transaction).
 */
import pg from 'pg';
import type { Credentials } from './client.ts';
import { reportConnectionErrors } from './connectionErrors.ts';
import type { RunnerWithRun } from './fixtures.ts';
import { duringBackgroundIngest, probes, type LoadOptions } from './load.ts';
import type { ServerProcess } from './serverProcess.ts';
import { every, latency, peakOf, sleep, type Latency } from './stats.ts';
import { openSubscribers } from './subscribers.ts';


export type FanoutFigures = Latency & {
  subscribers: number;
  /** Probe deliveries that arrived, over those expected (subscribers × probes). */
  delivered: number;
  backgroundLinesPerSecond: number;
  peakRss: number;
  connectSeconds: number;
  /** The probes' own appendLogs round trips: the share of the latency spent storing the line. */
  appendRoundTrip: Latency;
};

export type RoundTrips = {
  /** pg_notify alone: PostgreSQL's delivery latency, the ceiling of fan-out. */
  notify: Latency;
  /** One line INSERTed and NOTIFYed in one transaction: adds the commit (WAL flush) every stored line waits for. */
  insertAndNotify: Latency;
};

/**
 * One client LISTENs; others NOTIFY with the send time in the payload, alone and together with the
 * insert of one log line, alternately, under the same background load as the fan-out phases.
 */
export async function notifyRoundTrips(databaseUrl: string, server: ServerProcess, load: LoadOptions, runId: number): Promise<RoundTrips> {
  const listener = reportConnectionErrors(new pg.Client({ connectionString: databaseUrl }), 'the round-trip listener');
  // A pool, so that a NOTIFY waiting on a busy server never holds up the next one.
  const notifier = reportConnectionErrors(new pg.Pool({ connectionString: databaseUrl, max: 4 }), 'the round-trip notifier');
  await listener.connect();
  const notify: number[] = [];
  const insertAndNotify: number[] = [];
  listener.on('notification', (message) => {
    const [kind, sentAt] = (message.payload ?? '').split(' ');
    (kind === 'insert' ? insertAndNotify : notify).push(performance.now() - Number(sentAt));
  });
  await listener.query('LISTEN bench_round_trip');
  await duringBackgroundIngest(server.httpUrl, load, async () => {
    const pacer = every(load.probesPerSecond * 2, (n) => {
      const sentAt = performance.now().toFixed(3);
      if (n % 2 === 0) {
        void notifier.query(`SELECT pg_notify('bench_round_trip', $1)`, [`notify ${sentAt}`]);
      } else {
        void notifier.query(
          `WITH line AS (INSERT INTO log_line (run_id, seq, level, message, "timestamp") VALUES ($1, $2, 'INFO', $3, now()) RETURNING seq)
           SELECT pg_notify('bench_round_trip', $3) FROM line`,
          [runId, n, `insert ${sentAt}`],
        );
      }
    });
    await sleep(load.seconds * 1000);
    pacer.stop();
  });
  await sleep(200);
  listener.closing();
  notifier.closing();
  await Promise.all([listener.end(), notifier.end()]);
  return { notify: latency(notify), insertAndNotify: latency(insertAndNotify) };
}

/**
 * Subscribers spread evenly over the watched runs; probe lines go to those runs round robin, so
 * that each probe reaches subscribers / runs subscribers.
 */
export async function fanoutLatency(
  server: ServerProcess,
  viewer: Credentials,
  watched: Array<RunnerWithRun & { lastSeq: number }>,
  subscriberCount: number,
  load: LoadOptions,
  onOpen?: (rssWithSubscribers: number) => void,
): Promise<FanoutFigures> {
  const connectStarted = performance.now();
  const subscribers = await openSubscribers(
    server.wsUrl,
    viewer,
    Array.from({ length: subscriberCount }, (_, i) => watched[i % watched.length]!),
  );
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  onOpen?.(await server.rss());
  const peak = peakOf(() => server.rss());
  const { measured, backgroundLinesPerSecond } = await duringBackgroundIngest(server.httpUrl, load, async () => {
    const from = performance.now();
    const prober = probes(
      server.httpUrl,
      watched.map((w) => ({ jobId: w.jobId, credentials: { apiKey: w.apiKey } })),
      load.probesPerSecond,
    );
    await sleep(load.seconds * 1000);
    return { from, ...(await prober.stop()), to: performance.now() };
  });
  const { from, to, sent, appendMs } = measured;
  const expected = sent * (subscriberCount / watched.length);
  const deadline = performance.now() + 10_000;
  while (subscribers.samplesBetween(from, to).length < expected && performance.now() < deadline) await sleep(50);
  const samples = subscribers.samplesBetween(from, to);
  const peakRss = await peak.stop();
  if (subscribers.errors.length > 0) throw new Error(`subscribers got errors: ${subscribers.errors.slice(0, 3).join('; ')}`);
  await subscribers.close();
  return {
    ...latency(samples),
    subscribers: subscriberCount,
    delivered: expected === 0 ? 0 : samples.length / expected,
    backgroundLinesPerSecond,
    peakRss,
    connectSeconds,
    appendRoundTrip: latency(appendMs),
  };
}
