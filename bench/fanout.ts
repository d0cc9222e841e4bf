/**
 * Fan-out latency: from the appendLogs request being sent to each subscriber receiving the line,
 * under a steady background ingest, beside its ceiling, a bare LISTEN/NOTIFY round trip measured
 * under the same background load.
 */
import pg from 'pg';
import type { Credentials } from './client.ts';
import type { RunnerWithRun } from './fixtures.ts';
import { backgroundIngest, probes } from './load.ts';
import type { ServerProcess } from './serverProcess.ts';
import { every, latency, peakOf, sleep, type Latency } from './stats.ts';
import { openSubscribers } from './subscribers.ts';

export type LoadOptions = { background: RunnerWithRun[]; linesPerSecond: number; batchLines: number; probesPerSecond: number; seconds: number };

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

/** One client LISTENs, another NOTIFYs with the send time in the payload: PostgreSQL's own delivery latency. */
export async function notifyRoundTrip(databaseUrl: string, server: ServerProcess, load: LoadOptions): Promise<Latency> {
  const listener = new pg.Client({ connectionString: databaseUrl });
  // A pool, so that a NOTIFY waiting on a busy server never holds up the next one.
  const notifier = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  await listener.connect();
  const samples: number[] = [];
  listener.on('notification', (message) => samples.push(performance.now() - Number(message.payload)));
  await listener.query('LISTEN bench_round_trip');
  const background = backgroundIngest(server.httpUrl, load.background, load.linesPerSecond, load.batchLines);
  await sleep(1000);
  const pacer = every(load.probesPerSecond, () => {
    void notifier.query(`SELECT pg_notify('bench_round_trip', $1)`, [performance.now().toFixed(3)]);
  });
  await sleep(load.seconds * 1000);
  pacer.stop();
  await background.stop();
  await sleep(200);
  await Promise.all([listener.end(), notifier.end()]);
  return latency(samples);
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
  const background = backgroundIngest(server.httpUrl, load.background, load.linesPerSecond, load.batchLines);
  await sleep(1000);
  const from = performance.now();
  const prober = probes(
    server.httpUrl,
    watched.map((w) => ({ jobId: w.jobId, credentials: { apiKey: w.apiKey } })),
    load.probesPerSecond,
  );
  await sleep(load.seconds * 1000);
  const { sent, appendMs } = await prober.stop();
  const to = performance.now();
  const achieved = await background.stop();
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
    backgroundLinesPerSecond: achieved.linesPerSecond,
    peakRss,
    connectSeconds,
    appendRoundTrip: latency(appendMs),
  };
}
