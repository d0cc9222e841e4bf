/**
 * Every line watched: the load is made of stamped lines only (each says when it was sent), and
 * every subscriber measures every line it receives, checking that its run's seqs arrive once each
 * and in order. Two shapes users produce:
 *
 * - a busy run: one run receiving its lines as batches sent open-loop (a new batch on time,
 *   whatever the answers, with a bound on those in flight), as a runner posting from several
 *   threads does; a server that serialises badly shows as latency that grows through the phase;
 * - many runs at a steady rate each, every run watched by one or more subscribers, each run's
 *   batches sent one at a time as a runner of ours ships them.
 */
import type pg from 'pg';
import { appender, type Credentials } from './client.ts';
import { databaseCpuSeconds, processCpuSeconds } from './processCpu.ts';
import type { RunnerWithRun } from './fixtures.ts';
import { probeMessage } from './load.ts';
import type { ServerProcess } from './serverProcess.ts';
import { every, latency, peakOf, round, sleep, type Latency } from './stats.ts';
import { openSubscribers } from './subscribers.ts';

/** A batch of stamped lines as appendLogs takes them. */
const stampedBatch = (lines: number, sentAt: number) => {
  const line = JSON.stringify({ level: 'INFO', message: probeMessage(sentAt), timestamp: new Date().toISOString() });
  return `[${Array.from({ length: lines }, () => line).join(',')}]`;
};

export type BusyRunFigures = Latency & {
  linesPerSecondOffered: number;
  linesPerSecondAchieved: number;
  /** Lines received over lines stored; 1 when every line arrived. */
  delivered: number;
  /** Seqs received twice, out of order or past a gap. */
  outOfOrder: number;
  /** Batches not sent because the bound on batches in flight was reached. */
  skippedBatches: number;
  appendRoundTrip: Latency;
  firstSeconds: Latency;
  lastSeconds: Latency;
  /** p99 of the last seconds over p99 of the first: above 1 when a queue builds. */
  p99Growth: number;
};

/**
 * One run, batches of batchLines sent every 1000 / (linesPerSecond / batchLines) ms whatever the
 * answers (up to maxInFlight at once), one subscriber; windowSeconds at each end of the phase are
 * compared, which a growing queue tells apart.
 */
export async function busyRun(
  server: ServerProcess,
  viewer: Credentials,
  run: RunnerWithRun & { lastSeq: number },
  options: { linesPerSecond: number; batchLines: number; maxInFlight: number; seconds: number; windowSeconds: number },
): Promise<BusyRunFigures> {
  const watchers = await openSubscribers(server.wsUrl, viewer, [run]);
  const append = appender(server.httpUrl, { apiKey: run.apiKey }, run.jobId);
  const tag = Math.random().toString(36).slice(2, 8);
  const inFlight = new Set<Promise<void>>();
  const appendMs: number[] = [];
  let stored = 0;
  let skipped = 0;
  let failures = 0;
  const from = performance.now();
  const pacer = every(options.linesPerSecond / options.batchLines, (n) => {
    if (inFlight.size >= options.maxInFlight) return void skipped++;
    const sentAt = performance.now();
    const request = append(`busy-${tag}-${n}`, stampedBatch(options.batchLines, sentAt)).then(
      (range) => {
        appendMs.push(performance.now() - sentAt);
        stored += range.toSeq - range.fromSeq + 1;
      },
      () => void failures++,
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  });
  await sleep(options.seconds * 1000);
  pacer.stop();
  const to = performance.now();
  await Promise.all(inFlight);
  const seconds = (to - from) / 1000;
  const deadline = performance.now() + 30_000;
  while (watchers.received(0) < stored && performance.now() < deadline) await sleep(50);
  await watchers.close();
  if (failures > 0 || watchers.errors.length > 0) throw new Error(`busy run: ${failures} appends failed; subscriber errors: ${watchers.errors.slice(0, 3).join('; ')}`);
  const window = options.windowSeconds * 1000;
  const firstSeconds = latency(watchers.samplesBetween(from, from + window));
  const lastSeconds = latency(watchers.samplesBetween(to - window, to));
  return {
    ...latency(watchers.samples.map((s) => s.latency)),
    linesPerSecondOffered: options.linesPerSecond,
    linesPerSecondAchieved: Math.round(stored / seconds),
    delivered: stored === 0 ? 0 : round(watchers.received(0) / stored, 4),
    outOfOrder: watchers.outOfOrder(),
    skippedBatches: skipped,
    appendRoundTrip: latency(appendMs),
    firstSeconds,
    lastSeconds,
    p99Growth: round(lastSeconds.p99 / firstSeconds.p99),
  };
}

export type WatchedFigures = Latency & {
  runs: number;
  subscribersPerRun: number;
  linesPerSecondOffered: number;
  linesPerSecondAchieved: number;
  delivered: number;
  outOfOrder: number;
  peakRss: number;
  /** CPU seconds per wall second over the phase: 1 is one core busy. */
  serverCpu: number;
  postgresCpu: number;
  appendRoundTrip: Latency;
};

/**
 * Every run receives linesPerSecond / runs lines a second as batches of batchLines, one batch in
 * flight per run as a runner ships them (a late answer delays that run's next batch, which then
 * carries its own send time); every run has subscribersPerRun subscribers, and every line each
 * receives is a sample.
 */
export async function everyLineWatched(
  server: ServerProcess,
  viewer: Credentials,
  database: pg.Pool,
  runs: Array<RunnerWithRun & { lastSeq: number }>,
  options: { subscribersPerRun: number; linesPerSecond: number; batchLines: number; seconds: number },
): Promise<WatchedFigures> {
  const watchers = await openSubscribers(
    server.wsUrl,
    viewer,
    runs.flatMap((run) => Array.from({ length: options.subscribersPerRun }, () => run)),
  );
  const appenders = runs.map((r) => appender(server.httpUrl, { apiKey: r.apiKey }, r.jobId));
  const busy = new Array<boolean>(runs.length).fill(false);
  const tag = Math.random().toString(36).slice(2, 8);
  const inFlight = new Set<Promise<void>>();
  const appendMs: number[] = [];
  const storedPerRun = new Array<number>(runs.length).fill(0);
  let failures = 0;
  const peak = peakOf(() => server.rss());
  const cpuBefore = { server: await processCpuSeconds(server.pid), postgres: await databaseCpuSeconds(database) };
  const from = performance.now();
  // Batches are due round robin over the runs, so that each run's are evenly spaced.
  const pacer = every(options.linesPerSecond / options.batchLines, (n) => {
    const r = n % runs.length;
    if (busy[r]) return;
    busy[r] = true;
    const sentAt = performance.now();
    const request = appenders[r]!(`watched-${tag}-${n}`, stampedBatch(options.batchLines, sentAt)).then(
      (range) => {
        appendMs.push(performance.now() - sentAt);
        storedPerRun[r]! += range.toSeq - range.fromSeq + 1;
      },
      () => void failures++,
    );
    inFlight.add(request);
    void request.finally(() => {
      busy[r] = false;
      inFlight.delete(request);
    });
  });
  await sleep(options.seconds * 1000);
  pacer.stop();
  const to = performance.now();
  await Promise.all(inFlight);
  const cpuAfter = { server: await processCpuSeconds(server.pid), postgres: await databaseCpuSeconds(database) };
  const seconds = (to - from) / 1000;
  const stored = storedPerRun.reduce((a, b) => a + b, 0);
  const expected = stored * options.subscribersPerRun;
  const received = () => watchers.samples.length;
  const deadline = performance.now() + 30_000;
  while (received() < expected && performance.now() < deadline) await sleep(50);
  const peakRss = await peak.stop();
  await watchers.close();
  if (failures > 0 || watchers.errors.length > 0) throw new Error(`every line watched: ${failures} appends failed; subscriber errors: ${watchers.errors.slice(0, 3).join('; ')}`);
  return {
    ...latency(watchers.samples.map((s) => s.latency)),
    runs: runs.length,
    subscribersPerRun: options.subscribersPerRun,
    linesPerSecondOffered: options.linesPerSecond,
    linesPerSecondAchieved: Math.round(stored / seconds),
    delivered: expected === 0 ? 0 : round(received() / expected, 4),
    outOfOrder: watchers.outOfOrder(),
    peakRss,
    serverCpu: round((cpuAfter.server - cpuBefore.server) / seconds),
    postgresCpu: round((cpuAfter.postgres - cpuBefore.postgres) / seconds),
    appendRoundTrip: latency(appendMs),
  };
}
