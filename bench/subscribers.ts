/**
 * jobLogs subscribers as the admin opens them: one graphql-ws connection each, asking for the
 * fields the log view shows. Each records, for every probe line it receives, how long ago it was
 * sent, and checks that its run's seqs come once each and in order.
 */
import type { Client } from 'graphql-ws';
import { wsClient, type Credentials } from './client.ts';
import { probeSentAt } from './load.ts';

const JOB_LOGS = `subscription Logs($jobId: ID!, $afterSeq: Int) {
  jobLogs(jobId: $jobId, afterSeq: $afterSeq) { lastSeq lines { seq level message timestamp } }
}`;

/** Errors reach graphql-ws sinks as Errors, GraphQL error lists or websocket CloseEvents. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  const close = error as { code?: number; reason?: string };
  if (typeof close?.code === 'number') return `connection closed with ${close.code} ${close.reason ?? ''}`;
  return JSON.stringify(error);
}

export type Subscribers = {
  count: number;
  /** Latency samples (ms) of probe lines sent inside [from, to) of performance.now(). */
  samplesBetween(from: number, to: number): number[];
  /** Every latency sample, with its probe's send time. */
  samples: Array<{ sentAt: number; latency: number }>;
  /** Probe lines received by subscriber i. */
  received(i: number): number;
  /** Lines that came twice, out of order or past a gap, over all subscribers. */
  outOfOrder(): number;
  errors: string[];
  close(): Promise<void>;
};

/**
 * Opens one subscription per entry of jobIds (afterSeq just before each run's newest line, so that
 * the first event proves the subscription is live) and resolves once every one has had it.
 */
export async function openSubscribers(
  wsUrl: string,
  credentials: Credentials,
  runs: Array<{ jobId: string; lastSeq: number }>,
  options: { concurrency?: number; timeoutMs?: number } = {},
): Promise<Subscribers> {
  const samples: Array<{ sentAt: number; latency: number }> = [];
  const errors: string[] = [];
  const clients: Client[] = [];
  const disposers: Array<() => void> = [];
  const concurrency = options.concurrency ?? 200;
  const counts = new Array<number>(runs.length).fill(0);
  let outOfOrder = 0;

  const openOne = (run: { jobId: string; lastSeq: number }, index: number) =>
    new Promise<void>((resolve, reject) => {
      const client = wsClient(wsUrl, credentials);
      clients.push(client);
      let live = false;
      let lastSeq = Math.max(0, run.lastSeq - 1);
      const timer = setTimeout(() => reject(new Error(`subscription to run ${run.jobId} saw no event in time`)), options.timeoutMs ?? 60_000);
      disposers.push(
        client.subscribe<any>(
          { query: JOB_LOGS, variables: { jobId: run.jobId, afterSeq: lastSeq } },
          {
            next: (result) => {
              const receivedAt = performance.now();
              if (result.errors) errors.push(...result.errors.map((e) => e.message));
              for (const line of result.data?.jobLogs.lines ?? []) {
                if (line.seq !== lastSeq + 1) outOfOrder++;
                lastSeq = Math.max(lastSeq, line.seq);
                const sentAt = probeSentAt(line.message);
                if (sentAt === null) continue;
                counts[index]!++;
                samples.push({ sentAt, latency: receivedAt - sentAt });
              }
              if (!live) {
                live = true;
                clearTimeout(timer);
                resolve();
              }
            },
            error: (error) => {
              errors.push(describe(error));
              clearTimeout(timer);
              reject(new Error(`subscription to run ${run.jobId} failed: ${describe(error)}`));
            },
            complete: () => undefined,
          },
        ),
      );
    });

  try {
    for (let i = 0; i < runs.length; i += concurrency) await Promise.all(runs.slice(i, i + concurrency).map((run, j) => openOne(run, i + j)));
  } catch (error) {
    for (const dispose of disposers) dispose();
    await Promise.all(clients.map((c) => c.dispose()));
    throw error;
  }

  return {
    count: runs.length,
    errors,
    samples,
    received: (i) => counts[i]!,
    outOfOrder: () => outOfOrder,
    samplesBetween: (from, to) => samples.filter((s) => s.sentAt >= from && s.sentAt < to).map((s) => s.latency),
    async close() {
      for (const dispose of disposers) dispose();
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}
