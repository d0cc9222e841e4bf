/**
 * The load of the latency phases: a steady stream of appendLogs at a fixed line rate, and probe
 * lines that carry the moment they were sent, so that every subscriber can tell how long each took
 * to reach it. The stream keeps a bounded number of requests in flight, as runners do (a runner
 * waits for its batch to be stored): a server that cannot keep up shows as a lower achieved rate,
 * which the report prints, rather than as a queue that grows until every latency is minutes.
 */
import { appender, logLines, type Credentials } from './client.ts';
import type { RunnerWithRun } from './fixtures.ts';
import { every, sleep } from './stats.ts';

/** The latency phases' load: background runs appended to at a steady rate, and probes at a fixed rate for a while. */
export type LoadOptions = { background: RunnerWithRun[]; linesPerSecond: number; batchLines: number; probesPerSecond: number; seconds: number };

type Background = { stop(): Promise<{ linesPerSecond: number; failures: number }> };

/** Batches each background runner may have in flight at once. */
const IN_FLIGHT_PER_RUNNER = 2;

function backgroundIngest(httpUrl: string, runners: RunnerWithRun[], linesPerSecond: number, batchLines: number): Background {
  const linesJson = JSON.stringify(logLines(batchLines));
  const appenders = runners.map((r) => appender(httpUrl, { apiKey: r.apiKey }, r.jobId));
  const inFlight = new Set<Promise<void>>();
  const tag = Math.random().toString(36).slice(2, 8);
  let lines = 0;
  let failures = 0;
  const started = performance.now();
  const pacer = every(linesPerSecond / batchLines, (n) => {
    if (inFlight.size >= IN_FLIGHT_PER_RUNNER * runners.length) return;
    const request = appenders[n % appenders.length]!(`bg-${tag}-${n}`, linesJson).then(
      (stored) => void (lines += stored.toSeq - stored.fromSeq + 1),
      () => void failures++,
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  });
  return {
    async stop() {
      pacer.stop();
      const seconds = (performance.now() - started) / 1000;
      const stored = lines;
      await Promise.all(inFlight);
      return { linesPerSecond: Math.round(stored / seconds), failures };
    },
  };
}

/**
 * Measures while the background ingest runs: a second after it starts, so that the server is at its
 * steady rate; it stops once the measurement is done, and its achieved rate comes back beside it.
 */
export async function duringBackgroundIngest<T>(
  httpUrl: string,
  load: LoadOptions,
  measure: () => Promise<T>,
): Promise<{ measured: T; backgroundLinesPerSecond: number }> {
  const background = backgroundIngest(httpUrl, load.background, load.linesPerSecond, load.batchLines);
  try {
    await sleep(1000);
    const measured = await measure();
    return { measured, backgroundLinesPerSecond: (await background.stop()).linesPerSecond };
  } catch (error) {
    await background.stop();
    throw error;
  }
}

const PROBE = 'probe ';

/** A line of about 80 bytes whose text says when it was sent (performance.now() of this process). */
export const probeMessage = (sentAt: number) => `${PROBE}${sentAt.toFixed(3)} `.padEnd(80, '.');

/** The send time in a probe line, or null for any other line. */
export function probeSentAt(message: string): number | null {
  if (!message.startsWith(PROBE)) return null;
  return Number.parseFloat(message.slice(PROBE.length));
}

/** Appends one probe line at a time, round robin over the given runs. */
export function probes(httpUrl: string, runs: Array<{ jobId: string; credentials: Credentials }>, perSecond: number) {
  const appenders = runs.map((r) => appender(httpUrl, r.credentials, r.jobId));
  const tag = Math.random().toString(36).slice(2, 8);
  const inFlight = new Set<Promise<unknown>>();
  let failures = 0;
  let sent = 0;
  const appendMs: number[] = [];
  const pacer = every(perSecond, (n) => {
    sent++;
    const sentAt = performance.now();
    const line = JSON.stringify([{ level: 'INFO', message: probeMessage(sentAt), timestamp: new Date().toISOString() }]);
    const request = appenders[n % appenders.length]!(`probe-${tag}-${n}`, line).then(
      () => void appendMs.push(performance.now() - sentAt),
      () => void failures++,
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  });
  return {
    async stop() {
      pacer.stop();
      await Promise.all(inFlight);
      /** appendMs: each probe's appendLogs round trip, the part of the latency spent before the commit is known. */
      return { sent, failures, appendMs };
    },
  };
}
