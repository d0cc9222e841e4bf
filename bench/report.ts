/** Turns the benchmark's figures into the printed table (also the one in docs/performance.md) and the JSON file. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AdminOpenFigures } from './adminOpen.ts';
import type { FanoutFigures } from './fanout.ts';
import type { FleetFigures } from './fleet.ts';
import { fleetRows } from './fleetReport.ts';
import type { IngestFigures } from './ingest.ts';
import { logSearchRows, type LogSearchFigures } from './logSearch.ts';
import type { ExportFigures } from './exports.ts';
import type { HistorySpace } from './productSearch.ts';
import type { QueryFigures } from './queries.ts';
import type { ReplayFigures } from './replay.ts';
import type { SchedulerFigures } from './scheduler.ts';
import type { BusyRunFigures, WatchedFigures } from './watched.ts';
import type { BenchSizes } from './sizes.ts';
import { round, type Latency } from './stats.ts';

export type BenchResults = {
  generatedAt: string;
  scale: BenchSizes['scale'];
  /** loadAvg: the machine's 1-minute load average at the start and at the end (other work shares these cores). */
  machine: { cpus: number; node: string; postgres: string; loadAvg: { start: number; end: number } };
  sizes: BenchSizes;
  /** copy: COPY into log_line; bareCopy: the same rows into a table of four columns without index or key (see ingest.ts). */
  ingest: { api: IngestFigures; copy: IngestFigures; ratio: number; bareCopy: IngestFigures; bareRatio: number };
  notifyRoundTrip: Latency;
  insertAndNotifyRoundTrip: Latency;
  /** broadcast: the same probes sent by a bare websocket server to as many sockets (see broadcastCeiling). */
  fanout: Array<FanoutFigures & { p50Ratio: number; p99Ratio: number; broadcast: Latency }>;
  /** Every line watched, per count of subscribers per run; ceiling: the bare broadcast to as many sockets + the INSERT + NOTIFY round trip. */
  watched: Array<WatchedFigures & { broadcast: Latency; ceiling: { p50: number; p99: number }; p50Ratio: number; p99Ratio: number }>;
  /** One run's batches sent open-loop; p50OverWatched: its p50 over that of every line watched with one subscriber per run. */
  busyRun: BusyRunFigures & { p50OverWatched: number };
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
  /** GET /export/runs/:id/logs.ndjson of the replay run's lines. */
  export: ExportFigures;
  queries: QueryFigures[];
  /** searchLogs over the bulk log lines, and ingest with its index against without (see logSearch.ts). */
  logSearch: LogSearchFigures;
  /** The products list at sizes.searchProducts products (search by the trigram index product_search_text_idx). */
  productQueries: QueryFigures[];
  productHistory: HistorySpace;
  /** A run's page opened in Chromium (see adminOpen.ts); null where no Chromium was found. */
  adminOpen: AdminOpenFigures | null;
  memory: { restRss: number; peakRssAtMostSubscribers: number; rssWithManySubscriptions: number };
  bulkData: { seconds: number };
  /** From fire time to QUEUED, on the real clock, through the whole run (no samples when no minute began during it). */
  scheduler: SchedulerFigures;
  /** Idle runners holding claimRun open, and runs triggered to them (see fleet.ts). */
  fleet: FleetFigures;
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
  rows.push([
    'ingest against a COPY of the same rows into a bare table (run id, seq, level, message; no index, no key)',
    `${n(r.ingest.api.linesPerSecond)} lines/s`,
    `bare table COPY ${n(r.ingest.bareCopy.linesPerSecond)} lines/s`,
    `${round(r.ingest.bareRatio, 2)}`,
    '≥ 0.35 of bare table COPY',
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
  for (const w of r.watched) {
    const subscribers = w.runs * w.subscribersPerRun;
    rows.push([
      `every line watched: ${n(w.linesPerSecondOffered)} lines/s over ${n(w.runs)} runs, ${w.subscribersPerRun} subscriber${w.subscribersPerRun === 1 ? '' : 's'} each (${n(w.linesPerSecondAchieved)} lines/s achieved, ${round(w.delivered * 100, 1)}% delivered, ${n(w.outOfOrder)} out of order; CPU: server ${w.serverCpu}, PostgreSQL ${w.postgresCpu} cores; peak RSS ${mb(w.peakRss)})`,
      `p50 ${ms(w.p50)}, p99 ${ms(w.p99)}`,
      `bare broadcast to ${n(subscribers)} + INSERT+NOTIFY: p50 ${ms(w.ceiling.p50)}, p99 ${ms(w.ceiling.p99)}`,
      `${round(w.p50Ratio, 2)}×, ${round(w.p99Ratio, 2)}×`,
      subscribers >= 1000 ? 'full rate, p99 < 2× of ceiling, RSS < 300 MB' : 'p50, p99 < 2× of ceiling',
    ]);
  }
  const b = r.busyRun;
  rows.push([
    `busy run: ${n(b.linesPerSecondOffered)} lines/s to one run as batches sent open-loop (${n(b.linesPerSecondAchieved)} lines/s achieved, ${round(b.delivered * 100, 1)}% delivered, ${n(b.outOfOrder)} out of order, ${n(b.skippedBatches)} batches not sent for ${r.sizes.busyRun.maxInFlight} in flight)`,
    `p50 ${ms(b.p50)}, p99 ${ms(b.p99)}; p99 first ${r.sizes.busyRun.windowSeconds} s ${ms(b.firstSeconds.p99)}, last ${ms(b.lastSeconds.p99)} (appendLogs p50 ${ms(b.appendRoundTrip.p50)})`,
    `every line watched, 1 per run: p50 ${ms(r.watched[0]?.p50 ?? Number.NaN)}`,
    `p99 last/first ${round(b.p99Growth, 2)}; p50 ${round(b.p50OverWatched, 2)}×`,
    'full rate, p99 last/first ≤ 1.5, p50 ≤ 2×',
  ]);
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
  rows.push([
    `export of ${n(r.export.rows)} log lines as NDJSON (GET /export/runs/:id/logs.ndjson)`,
    `${n(r.export.rowsPerSecond)} rows/s, ${r.export.megabytesPerSecond} MB/s; server RSS +${mb(r.export.rssGrowth)} (peak ${mb(r.export.rssPeak)})`,
    '',
    '',
    'RSS growth < 50 MB',
  ]);
  for (const q of r.queries) rows.push([`query ${q.name}`, `p50 ${ms(q.p50)}, p99 ${ms(q.p99)}`, '', '', 'p99 < 100 ms']);
  rows.push(...logSearchRows(r.logSearch));
  for (const q of r.productQueries) rows.push([`query ${q.name}`, `p50 ${ms(q.p50)}, p99 ${ms(q.p99)}`, '', '', 'p99 < 100 ms']);
  const h = r.productHistory;
  rows.push([
    `product history: ${n(h.estimate.products)} products × ${h.estimate.runs} daily runs, ${round(h.estimate.changeRate * 100, 1)}% changing per run`,
    `${n(h.estimate.rows)} rows, ${mb(h.estimate.bytes)} (${round(h.bytesPerRow, 1)} bytes/row with indexes)`,
    `a row per product per run: ${mb(h.estimate.uncompactedBytes)}`,
    '',
    '',
  ]);
  if (r.adminOpen) rows.push(...adminOpenRows(r.adminOpen));
  const s = r.scheduler;
  rows.push([
    `scheduled run queued after its fire time (real clock; ${n(s.scrapers)} scrapers every minute, ${n(s.samples)} fire times over ${n(s.minutes)} min of the other phases' load)`,
    s.samples > 0 ? `p50 ${ms(s.p50!)}, p99 ${ms(s.p99!)}, max ${ms(s.max!)}` : 'no fire time during the run',
    '',
    '',
    'p99 < 5 s',
  ]);
  rows.push(...fleetRows(r.fleet));
  rows.push(['server RSS at rest', mb(r.memory.restRss), '', '', '']);
  rows.push([`server RSS, peak with ${n(most)} subscribers`, mb(r.memory.peakRssAtMostSubscribers), '', '', '< 300 MB']);
  rows.push([`server RSS with ${n(many.subscriptions)} open subscriptions`, mb(r.memory.rssWithManySubscriptions), '', '', '< 600 MB']);
  return rows;
}

function adminOpenRows(a: AdminOpenFigures): Row[] {
  const { small, large } = a;
  const opened = `median of ${large.opens} opens, Chromium 1280 px`;
  return [
    [
      `admin: a run of ${n(large.lines)} lines opened, first screen of lines (${opened})`,
      `${n(large.firstRowMs)} ms`,
      `a run of ${n(small.lines)} lines: ${n(small.firstRowMs)} ms`,
      `${round(a.firstRowRatio, 2)}`,
      '≤ 2',
    ],
    [`admin: the same, every line loaded`, `${n(large.allLoadedMs)} ms`, `a run of ${n(small.lines)} lines: ${n(small.allLoadedMs)} ms`, `${round(a.allLoadedRatio, 2)}`, '≤ 3'],
    [
      `admin: the same, main-thread tasks over 50 ms until every line is loaded`,
      `${large.longTasks} per open, longest ${n(large.longestTaskMs)} ms`,
      `a run of ${n(small.lines)} lines: ${small.longTasks}, longest ${n(small.longestTaskMs)} ms`,
      '',
      'longest ≤ 200 ms',
    ],
  ];
}

/** The table under a line that says the scale and the machine. */
export function formatTable(r: BenchResults): string {
  const title =
    `Scale ${r.scale}: ${n(r.sizes.queryRuns)} runs over ${n(r.sizes.queryScrapers)} scrapers, ${n(r.sizes.queryLogLines)} log lines; ` +
    `${r.machine.cpus} CPUs (load average ${round(r.machine.loadAvg.start, 1)} at the start, ${round(r.machine.loadAvg.end, 1)} at the end), ` +
    `Node ${r.machine.node}, PostgreSQL ${r.machine.postgres}; ${round(r.durationSeconds, 0)} s.`;
  return `${title}\n\n${markdownTable(tableRows(r))}`;
}

/** A Markdown table: readable in a terminal and pasted as is into docs/performance.md. */
export function markdownTable(rows: Row[]): string {
  const header: Row = ['figure', 'value', 'ceiling (same run)', 'ratio', 'target'];
  return `${[header, ['---', '---:', '---:', '---:', '---'] as Row, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`;
}

export async function writeResults(file: string, results: BenchResults): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}
