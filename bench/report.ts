/** Turns the benchmark's figures into the printed table (also the one in docs/performance.md) and the JSON file. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FanoutFigures } from './fanout.ts';
import type { IngestFigures } from './ingest.ts';
import type { QueryFigures } from './queries.ts';
import type { ReplayFigures } from './replay.ts';
import type { SchedulerFigures } from './scheduler.ts';
import type { BenchSizes } from './sizes.ts';
import { round, type Latency } from './stats.ts';

export type BenchResults = {
  generatedAt: string;
  scale: BenchSizes['scale'];
  /** loadAvg: the machine's 1-minute load average at the start and at the end (other work shares these cores). */
  machine: { cpus: number; node: string; postgres: string; loadAvg: { start: number; end: number } };
  sizes: BenchSizes;
  ingest: { api: IngestFigures; copy: IngestFigures; ratio: number };
  notifyRoundTrip: Latency;
  insertAndNotifyRoundTrip: Latency;
  /** broadcast: the same probes sent by a bare websocket server to as many sockets (see broadcastCeiling). */
  fanout: Array<FanoutFigures & { p50Ratio: number; p99Ratio: number; broadcast: Latency }>;
  manySubscriptions: {
    subscriptions: number;
    runs: number;
    rssBefore: number;
    rssOpen: number;
    bytesPerSubscription: number;
    connectSeconds: number;
    latency: FanoutFigures & { p50Ratio: number; p99Ratio: number };
  };
  replay: { api: ReplayFigures; select: ReplayFigures; ratio: number };
  queries: QueryFigures[];
  memory: { restRss: number; peakRssAtMostSubscribers: number; rssWithManySubscriptions: number };
  bulkData: { seconds: number };
  /** From fire time to QUEUED, on the real clock, through the whole run (no samples when no minute began during it). */
  scheduler: SchedulerFigures;
  durationSeconds: number;
};

type Row = [figure: string, value: string, ceiling: string, ratio: string, target: string];

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => `${round(value, 2)} ms`;
const mb = (bytes: number) => `${round(bytes / 1024 / 1024, 1)} MB`;

function tableRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  rows.push([
    `ingest, ${r.sizes.ingestRunners} runners × ${r.sizes.ingestBatchLines}-line batches (appendLogs over HTTP)`,
    `${n(r.ingest.api.linesPerSecond)} lines/s`,
    `COPY ${n(r.ingest.copy.linesPerSecond)} lines/s`,
    `${round(r.ingest.ratio, 2)}`,
    '≥ 0.50 of COPY',
  ]);
  rows.push(['LISTEN/NOTIFY round trip (ceiling of fan-out)', `p50 ${ms(r.notifyRoundTrip.p50)}, p99 ${ms(r.notifyRoundTrip.p99)}`, '', '', '']);
  rows.push([
    'INSERT of one line + NOTIFY in one transaction (the commit every stored line waits for)',
    `p50 ${ms(r.insertAndNotifyRoundTrip.p50)}, p99 ${ms(r.insertAndNotifyRoundTrip.p99)}`,
    '',
    '',
    '',
  ]);
  const most = Math.max(...r.fanout.map((f) => f.subscribers));
  for (const f of r.fanout) {
    rows.push([
      `fan-out latency, ${n(f.subscribers)} subscriber${f.subscribers === 1 ? '' : 's'} (background ${n(f.backgroundLinesPerSecond)} lines/s, ${round(f.delivered * 100, 1)}% delivered)`,
      `p50 ${ms(f.p50)}, p99 ${ms(f.p99)} (appendLogs itself: p50 ${ms(f.appendRoundTrip.p50)}, p99 ${ms(f.appendRoundTrip.p99)})`,
      `NOTIFY p50 ${ms(r.notifyRoundTrip.p50)}, p99 ${ms(r.notifyRoundTrip.p99)}; bare websocket broadcast to ${n(f.subscribers)}: p50 ${ms(f.broadcast.p50)}, p99 ${ms(f.broadcast.p99)}`,
      `${round(f.p50Ratio, 1)}×, ${round(f.p99Ratio, 1)}× of NOTIFY; ${round(f.p50 / f.broadcast.p50, 1)}×, ${round(f.p99 / f.broadcast.p99, 1)}× of broadcast`,
      f.subscribers === most ? 'p50 < 5 ms, p99 < 25 ms' : '',
    ]);
  }
  const many = r.manySubscriptions;
  rows.push([
    `${n(many.subscriptions)} open subscriptions over ${n(many.runs)} runs: latency (${round(many.latency.delivered * 100, 1)}% delivered)`,
    `p50 ${ms(many.latency.p50)}, p99 ${ms(many.latency.p99)}`,
    `NOTIFY p50 ${ms(r.notifyRoundTrip.p50)}, p99 ${ms(r.notifyRoundTrip.p99)}`,
    `${round(many.latency.p50Ratio, 1)}×, ${round(many.latency.p99Ratio, 1)}×`,
    '',
  ]);
  rows.push(['memory per open subscription (server RSS growth / subscriptions)', `${round(many.bytesPerSubscription / 1024, 1)} KB`, '', '', '']);
  rows.push([
    `replay of ${n(r.replay.api.lines)} stored lines to a new subscriber`,
    `${n(r.replay.api.linesPerSecond)} lines/s (${round(r.replay.api.seconds, 1)} s)`,
    `SELECT ${n(r.replay.select.linesPerSecond)} lines/s`,
    `${round(r.replay.ratio, 2)}`,
    '',
  ]);
  for (const q of r.queries) rows.push([`query ${q.name}`, `p50 ${ms(q.p50)}, p99 ${ms(q.p99)}`, '', '', 'p99 < 100 ms']);
  const s = r.scheduler;
  rows.push([
    `scheduled run queued after its fire time (real clock; ${n(s.scrapers)} scrapers every minute, ${n(s.samples)} fire times over ${n(s.minutes)} min of the other phases' load)`,
    s.samples > 0 ? `p50 ${ms(s.p50!)}, p99 ${ms(s.p99!)}, max ${ms(s.max!)}` : 'no fire time during the run',
    '',
    '',
    'p99 < 5 s',
  ]);
  rows.push(['server RSS at rest', mb(r.memory.restRss), '', '', '']);
  rows.push([`server RSS, peak with ${n(most)} subscribers`, mb(r.memory.peakRssAtMostSubscribers), '', '', '< 300 MB']);
  rows.push([`server RSS with ${n(many.subscriptions)} open subscriptions`, mb(r.memory.rssWithManySubscriptions), '', '', '< 600 MB']);
  return rows;
}

/** A Markdown table: readable in a terminal and pasted as is into docs/performance.md. */
export function formatTable(r: BenchResults): string {
  const header: Row = ['figure', 'value', 'ceiling (same run)', 'ratio', 'target'];
  const lines = [header, ['---', '---:', '---:', '---:', '---'] as Row, ...tableRows(r)].map((row) => `| ${row.join(' | ')} |`);
  const title =
    `Scale ${r.scale}: ${n(r.sizes.queryRuns)} runs over ${n(r.sizes.queryScrapers)} scrapers, ${n(r.sizes.queryLogLines)} log lines; ` +
    `${r.machine.cpus} CPUs (load average ${round(r.machine.loadAvg.start, 1)} at the start, ${round(r.machine.loadAvg.end, 1)} at the end), ` +
    `Node ${r.machine.node}, PostgreSQL ${r.machine.postgres}; ${round(r.durationSeconds, 0)} s.`;
  return `${title}\n\n${lines.join('\n')}\n`;
}

export async function writeResults(file: string, results: BenchResults): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}
