/**
 * `npm run bench`: starts the server on a fresh embedded PostgreSQL, loads data, measures each
 * phase beside its ceiling measured in the same run, prints a table and writes the same figures as
 * JSON (bench/results/latest.json, or BENCH_OUTPUT). BENCH_SCALE=small|tiny shrinks every phase.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadBulkData } from './bulkData.ts';
import { settle, startBenchDatabase } from './database.ts';
import { broadcastLatency } from './broadcastCeiling.ts';
import { fanoutLatency, notifyRoundTrips, type FanoutFigures } from './fanout.ts';
import type { LoadOptions } from './load.ts';
import { runningRuns, withFirstLine } from './fixtures.ts';
import { ingestThroughApi, ingestWithCopy } from './ingest.ts';
import { measureQueries, queryProbes } from './queries.ts';
import { replayToSubscriber, replayWithSelect } from './replay.ts';
import { startSchedulerProbe } from './scheduler.ts';
import { formatTable, writeResults, type BenchResults } from './report.ts';
import { BENCH_ADMIN_TOKEN, startServerProcess, type ServerProcess } from './serverProcess.ts';
import { benchSizes } from './sizes.ts';
import { sleep } from './stats.ts';

const sizes = benchSizes();
const output = process.env.BENCH_OUTPUT ?? fileURLToPath(new URL('./results/latest.json', import.meta.url));
const say = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const started = performance.now();
/**
 * BENCH_PHASES=ingest,fanout,many,queries runs only those phases (replay belongs to queries, whose
 * data it uses) and prints their lines without writing results: for working on one figure.
 */
const phaseFilter = process.env.BENCH_PHASES ? new Set(process.env.BENCH_PHASES.split(',').map((p) => p.trim())) : null;
const runs = (phase: 'ingest' | 'fanout' | 'many' | 'queries' | 'scheduler') => !phaseFilter || phaseFilter.has(phase);
const loadAtStart = os.loadavg()[0]!;

const db = await startBenchDatabase();
let server: ServerProcess | undefined;
try {
  server = await startServerProcess(db.url);
  const viewer = { token: BENCH_ADMIN_TOKEN };
  await sleep(1000);
  const restRss = await server.rss();
  const { rows: version } = await db.pool.query<{ server_version: string }>('SHOW server_version');

  if (phaseFilter) {
    await partialRun(server, viewer);
  } else {
    say(`scheduler: ${sizes.schedulerScrapers} scrapers every minute, through every phase`);
    const schedulerProbe = await startSchedulerProbe(db.pool, sizes.schedulerScrapers);
    say(`ingest: ${sizes.ingestRunners} runners for ${sizes.ingestSeconds} s`);
    const ingestRuns = await runningRuns(db.pool, sizes.ingestRunners, 'ingest');
    const api = await ingestThroughApi(server.httpUrl, ingestRuns, { batchLines: sizes.ingestBatchLines, seconds: sizes.ingestSeconds });
    const [copyRun] = await runningRuns(db.pool, 1, 'copy');
    const copy = await ingestWithCopy(db.url, copyRun!.runId, api.lines, sizes.ingestBatchLines);
    say(`  API ${api.linesPerSecond} lines/s, COPY ${copy.linesPerSecond} lines/s`);
    await settle(db.pool);

    const load: LoadOptions = {
      background: await runningRuns(db.pool, sizes.ingestRunners, 'background'),
      linesPerSecond: sizes.backgroundLinesPerSecond,
      batchLines: sizes.ingestBatchLines,
      probesPerSecond: sizes.probesPerSecond,
      seconds: sizes.fanoutSeconds,
    };
    say('LISTEN/NOTIFY round trips under the background load');
    const [ceilingRun] = await runningRuns(db.pool, 1, 'round-trip');
    const roundTrips = await notifyRoundTrips(db.url, server, load, ceilingRun!.runId);
    const notify = roundTrips.notify;
    say(`  NOTIFY p50 ${notify.p50} ms, p99 ${notify.p99} ms; INSERT + NOTIFY p50 ${roundTrips.insertAndNotify.p50} ms, p99 ${roundTrips.insertAndNotify.p99} ms`);
    await settle(db.pool);

    const withRatios = (f: FanoutFigures) => ({ ...f, p50Ratio: f.p50 / notify.p50, p99Ratio: f.p99 / notify.p99 });
    const [probeRun] = await runningRuns(db.pool, 1, 'probe');
    const fanout: BenchResults['fanout'] = [];
    let peakRssAtMost = 0;
    for (const count of sizes.fanoutSubscribers) {
      say(`fan-out: ${count} subscribers`);
      const figures = await fanoutLatency(server, viewer, await withFirstLine(server.httpUrl, db.pool, [probeRun!]), count, load);
      say(`  p50 ${figures.p50} ms, p99 ${figures.p99} ms, appendLogs p50 ${figures.appendRoundTrip.p50} ms, peak RSS ${Math.round(figures.peakRss / 2 ** 20)} MB`);
      peakRssAtMost = figures.peakRss;
      await settle(db.pool);
      const broadcast = await broadcastLatency(server.httpUrl, count, load);
      say(`  bare websocket broadcast to ${count}: p50 ${broadcast.p50} ms, p99 ${broadcast.p99} ms`);
      fanout.push({ ...withRatios(figures), broadcast });
      await settle(db.pool);
    }

    say(`${sizes.manySubscriptions} subscriptions over ${sizes.manySubscriptionRuns} runs`);
    const manyRuns = await withFirstLine(server.httpUrl, db.pool, await runningRuns(db.pool, sizes.manySubscriptionRuns, 'many'));
    await sleep(1000);
    const rssBefore = await server.rss();
    let rssOpen = 0;
    const manyLatency = await fanoutLatency(server, viewer, manyRuns, sizes.manySubscriptions, load, (rss) => (rssOpen = rss));
    say(`  p50 ${manyLatency.p50} ms, p99 ${manyLatency.p99} ms, RSS ${Math.round(rssBefore / 2 ** 20)} -> ${Math.round(rssOpen / 2 ** 20)} MB, connected in ${Math.round(manyLatency.connectSeconds)} s`);
    await settle(db.pool);

    say(`bulk data: ${sizes.queryRuns} runs, ${sizes.queryLogLines} log lines`);
    const bulk = await loadBulkData(db.pool, {
      runs: sizes.queryRuns,
      scrapers: sizes.queryScrapers,
      logLines: sizes.queryLogLines,
      replayLines: sizes.replayLines,
      products: sizes.queryProducts,
    });
    say(`  loaded in ${Math.round(bulk.seconds)} s`);
    await settle(db.pool);

    say(`replay of ${bulk.replayLines} lines`);
    const replaySelect = await replayWithSelect(db.url, bulk.replayRunId, bulk.replayLines);
    const replayApi = await replayToSubscriber(server.wsUrl, viewer, bulk.replayRunId, bulk.replayLines);
    say(`  subscriber ${replayApi.linesPerSecond} lines/s, SELECT ${replaySelect.linesPerSecond} lines/s`);

    say('queries');
    const queries = await measureQueries(server.httpUrl, viewer, queryProbes(bulk), sizes.queryIterations);
    const scheduler = await schedulerProbe.stop();
    say(`scheduler: ${scheduler.samples} fire times queued, p50 ${scheduler.p50} ms, p99 ${scheduler.p99} ms, max ${scheduler.max} ms`);

    const results: BenchResults = {
      generatedAt: new Date().toISOString(),
      scale: sizes.scale,
      machine: {
        cpus: os.cpus().length,
        node: process.versions.node,
        postgres: version[0]!.server_version,
        loadAvg: { start: loadAtStart, end: os.loadavg()[0]! },
      },
      sizes,
      ingest: { api, copy, ratio: api.linesPerSecond / copy.linesPerSecond },
      notifyRoundTrip: notify,
      insertAndNotifyRoundTrip: roundTrips.insertAndNotify,
      fanout,
      manySubscriptions: {
        subscriptions: sizes.manySubscriptions,
        runs: sizes.manySubscriptionRuns,
        rssBefore,
        rssOpen,
        bytesPerSubscription: Math.max(0, rssOpen - rssBefore) / sizes.manySubscriptions,
        connectSeconds: manyLatency.connectSeconds,
        latency: withRatios(manyLatency),
      },
      replay: { api: replayApi, select: replaySelect, ratio: replayApi.linesPerSecond / replaySelect.linesPerSecond },
      queries,
      memory: { restRss, peakRssAtMostSubscribers: peakRssAtMost, rssWithManySubscriptions: Math.max(rssOpen, manyLatency.peakRss) },
      bulkData: { seconds: bulk.seconds },
      scheduler,
      durationSeconds: (performance.now() - started) / 1000,
    };
    await writeResults(output, results);
    process.stdout.write(`\n${formatTable(results)}\nFigures written to ${output}\n`);
  }
} finally {
  await server?.stop();
  await db.stop();
}

/** The selected phases alone, their figures printed only. */
async function partialRun(server: ServerProcess, viewer: { token: string }): Promise<void> {
  const pool = db.pool;
  say(`RSS at rest ${Math.round((await server.rss()) / 2 ** 20)} MB`);
  if (runs('ingest')) {
    say(`ingest: ${sizes.ingestRunners} runners for ${sizes.ingestSeconds} s`);
    const api = await ingestThroughApi(server.httpUrl, await runningRuns(pool, sizes.ingestRunners, 'ingest'), { batchLines: sizes.ingestBatchLines, seconds: sizes.ingestSeconds });
    const [copyRun] = await runningRuns(pool, 1, 'copy');
    const copy = await ingestWithCopy(db.url, copyRun!.runId, api.lines, sizes.ingestBatchLines);
    say(`  API ${api.linesPerSecond} lines/s, COPY ${copy.linesPerSecond} lines/s, ratio ${(api.linesPerSecond / copy.linesPerSecond).toFixed(2)}, RSS ${Math.round((await server.rss()) / 2 ** 20)} MB`);
    await settle(pool);
  }
  const load: LoadOptions = {
    background: await runningRuns(pool, sizes.ingestRunners, 'background'),
    linesPerSecond: sizes.backgroundLinesPerSecond,
    batchLines: sizes.ingestBatchLines,
    probesPerSecond: sizes.probesPerSecond,
    seconds: sizes.fanoutSeconds,
  };
  if (runs('fanout')) {
    const [probeRun] = await runningRuns(pool, 1, 'probe');
    for (const count of sizes.fanoutSubscribers) {
      const f = await fanoutLatency(server, viewer, await withFirstLine(server.httpUrl, pool, [probeRun!]), count, load);
      say(`fan-out ${count}: p50 ${f.p50} ms, p99 ${f.p99} ms, appendLogs p50 ${f.appendRoundTrip.p50} ms, p99 ${f.appendRoundTrip.p99} ms, delivered ${f.delivered}, background ${f.backgroundLinesPerSecond} lines/s, peak RSS ${Math.round(f.peakRss / 2 ** 20)} MB`);
      await settle(pool);
      if (process.env.BENCH_BROADCAST !== '0') {
        const b = await broadcastLatency(server.httpUrl, count, load);
        say(`  bare websocket broadcast to ${count}: p50 ${b.p50} ms, p99 ${b.p99} ms`);
        await settle(pool);
      }
    }
  }
  if (runs('many')) {
    const manyRuns = await withFirstLine(server.httpUrl, pool, await runningRuns(pool, sizes.manySubscriptionRuns, 'many'));
    const f = await fanoutLatency(server, viewer, manyRuns, sizes.manySubscriptions, load);
    say(`${sizes.manySubscriptions} subscriptions: p50 ${f.p50} ms, p99 ${f.p99} ms, peak RSS ${Math.round(f.peakRss / 2 ** 20)} MB`);
  }
  if (runs('scheduler')) {
    const minutes = Number(process.env.BENCH_SCHEDULER_MINUTES ?? 2);
    say(`scheduler: ${sizes.schedulerScrapers} scrapers every minute for ${minutes} min`);
    const probe = await startSchedulerProbe(pool, sizes.schedulerScrapers);
    await sleep(minutes * 60_000 + 5_000);
    say(`scheduler: ${JSON.stringify(await probe.stop())}`);
  }
  if (runs('queries')) {
    const bulk = await loadBulkData(pool, { runs: sizes.queryRuns, scrapers: sizes.queryScrapers, logLines: sizes.queryLogLines, replayLines: sizes.replayLines, products: sizes.queryProducts });
    await settle(pool);
    const queries = await measureQueries(server.httpUrl, viewer, queryProbes(bulk), sizes.queryIterations);
    say(JSON.stringify(queries));
  }
}
