/**
 * `npm run bench`: starts the server on a fresh embedded PostgreSQL, loads data, measures each
 * phase beside its ceiling measured in the same run, prints a table and writes the same figures as
 * JSON (bench/results/latest.json, or BENCH_OUTPUT). BENCH_SCALE=small|tiny shrinks every phase;
 * BENCH_FLEET_WAIT=claim makes the idle fleet hold claimRun open over HTTP instead of waiting on
 * workAvailable, and BENCH_FLEET_WAIT_SECONDS at another wait than the runner's default.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadBulkData } from './bulkData.ts';
import { settle, startBenchDatabase } from './database.ts';
import { broadcastLatency } from './broadcastCeiling.ts';
import { fanoutLatency, notifyRoundTrips, type FanoutFigures } from './fanout.ts';
import type { LoadOptions } from './load.ts';
import { endRuns, runningRuns, withFirstLine } from './fixtures.ts';
import { ingestThroughApi, ingestWithBareCopy, ingestWithCopy, logLineIndexes } from './ingest.ts';
import { exportRunLogs } from './exports.ts';
import { fleetPhase } from './fleet.ts';
import { fleetRows } from './fleetReport.ts';
import { measureQueries, queryProbes, trendProbes } from './queries.ts';
import { dropSearchIndex, logSearchPhase, SEARCH_INDEX } from './logSearch.ts';
import { loadSearchProducts, measureHistorySpace, productProbes } from './productSearch.ts';
import { replayToSubscriber, replayWithSelect } from './replay.ts';
import { adminOpenPhase, chromiumAvailable, type AdminOpenFigures } from './adminOpen.ts';
import { startSchedulerProbe } from './scheduler.ts';
import { formatTable, markdownTable, writeResults, type BenchResults } from './report.ts';
import { BENCH_ADMIN_TOKEN, startServerProcess, type ServerProcess } from './serverProcess.ts';
import { databaseCpuSeconds, processCpuSeconds } from './processCpu.ts';
import { benchSizes } from './sizes.ts';
import { sleep, type Latency } from './stats.ts';
import { busyRun, everyLineWatched, type BusyRunFigures } from './watched.ts';

const sizes = benchSizes();
const output = process.env.BENCH_OUTPUT ?? fileURLToPath(new URL('./results/latest.json', import.meta.url));
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const say = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const started = performance.now();
/**
 * BENCH_PHASES=ingest,fanout,many,queries,search,products runs only those phases (replay belongs to queries, whose
 * data it uses) and prints their lines without writing results: for working on one figure. `replay` loads
 * only the replay run's lines and measures the replay alone. `trends` loads the query phase's runs
 * without its log lines and measures the trends queries alone. `admin` opens a run's page in
 * Chromium (see adminOpen.ts). `fleet` holds thousands of idle runners waiting for work (see fleet.ts).
 */
const phaseFilter = process.env.BENCH_PHASES ? new Set(process.env.BENCH_PHASES.split(',').map((p) => p.trim())) : null;
const runs = (phase: 'ingest' | 'fanout' | 'busy' | 'watched' | 'many' | 'queries' | 'replay' | 'search' | 'exports' | 'products' | 'scheduler' | 'trends' | 'admin' | 'fleet') =>
  !phaseFilter || phaseFilter.has(phase);
const loadAtStart = os.loadavg()[0]!;
/** The indexes the migrations give log_line besides its key: ingest is measured with them in place. */
const PRODUCTION_INDEXES = [SEARCH_INDEX.name, 'log_line_received_at_idx'];

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
    say(`ingest: ${sizes.ingestRunners} runners for ${sizes.ingestSeconds} s, log_line indexed by ${(await logLineIndexes(db.pool, PRODUCTION_INDEXES)).join(', ')}`);
    const ingestRuns = await runningRuns(db.pool, sizes.ingestRunners, 'ingest');
    const api = await ingestThroughApi(server.httpUrl, ingestRuns, { batchLines: sizes.ingestBatchLines, seconds: sizes.ingestSeconds });
    const [copyRun] = await runningRuns(db.pool, 1, 'copy');
    const copy = await ingestWithCopy(db.url, copyRun!.runId, api.lines, sizes.ingestBatchLines);
    const bareCopy = await ingestWithBareCopy(db.url, copyRun!.runId, api.lines, sizes.ingestBatchLines);
    say(`  API ${api.linesPerSecond} lines/s, COPY ${copy.linesPerSecond} lines/s, COPY into a bare table ${bareCopy.linesPerSecond} lines/s`);
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

    const busy = await busyRunPhase(server, viewer);
    const watched = await watchedPhase(server, viewer, load, roundTrips.insertAndNotify);

    say(`${sizes.manySubscriptions} subscriptions over ${sizes.manySubscriptionRuns} runs`);
    const manyRuns = await withFirstLine(server.httpUrl, db.pool, await runningRuns(db.pool, sizes.manySubscriptionRuns, 'many'));
    await sleep(1000);
    const rssBefore = await server.rss();
    let rssOpen = 0;
    const manyLatency = await fanoutLatency(server, viewer, manyRuns, sizes.manySubscriptions, load, (rss) => (rssOpen = rss));
    say(`  p50 ${manyLatency.p50} ms, p99 ${manyLatency.p99} ms, RSS ${Math.round(rssBefore / 2 ** 20)} -> ${Math.round(rssOpen / 2 ** 20)} MB, connected in ${Math.round(manyLatency.connectSeconds)} s`);
    await settle(db.pool);

    say(`bulk data: ${sizes.queryRuns} runs, ${sizes.queryLogLines} log lines`);
    // The search phase builds the log search index over the loaded lines, once.
    await dropSearchIndex(db.pool);
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

    say(`export of ${bulk.replayLines} log lines as NDJSON`);
    const exported = await exportRunLogs(server, viewer, bulk.replayRunId, bulk.replayLines);
    say(`  ${exported.rowsPerSecond} rows/s, ${exported.megabytesPerSecond} MB/s, server RSS +${Math.round(exported.rssGrowth / 2 ** 20)} MB`);
    await settle(db.pool);

    say('queries');
    const queries = await measureQueries(server.httpUrl, viewer, queryProbes(bulk), sizes.queryIterations);

    say(`log search over ${sizes.queryLogLines} lines, and ingest with its index against without`);
    const logSearch = await logSearchPhase(db.pool, server.httpUrl, viewer, sizes, say);

    say(`products: ${sizes.searchProducts} products`);
    const catalogue = await loadSearchProducts(db.pool, sizes.searchProducts);
    say(`  loaded in ${Math.round(catalogue.seconds)} s`);
    await settle(db.pool);
    const productQueries = await measureQueries(server.httpUrl, viewer, productProbes(catalogue), sizes.queryIterations);
    const productHistory = await measureHistorySpace(db.pool, Math.min(100_000, sizes.searchProducts));
    const adminOpen = await adminPhase(server);
    const scheduler = await schedulerProbe.stop();
    say(`scheduler: ${scheduler.samples} fire times queued, p50 ${scheduler.p50} ms, p99 ${scheduler.p99} ms, max ${scheduler.max} ms`);
    // Last: its runners would take the runs other phases leave queued, and the scheduler probe's.
    const fleet = await fleetPhase(db.pool, server, viewer, sizes.fleet, say);

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
      ingest: { api, copy, ratio: api.linesPerSecond / copy.linesPerSecond, bareCopy, bareRatio: api.linesPerSecond / bareCopy.linesPerSecond },
      notifyRoundTrip: notify,
      insertAndNotifyRoundTrip: roundTrips.insertAndNotify,
      fanout,
      watched,
      busyRun: { ...busy, p50OverWatched: busy.p50 / watched[0]!.p50 },
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
      export: exported,
      queries,
      logSearch,
      productQueries,
      productHistory,
      adminOpen,
      memory: { restRss, peakRssAtMostSubscribers: peakRssAtMost, rssWithManySubscriptions: Math.max(rssOpen, manyLatency.peakRss) },
      bulkData: { seconds: bulk.seconds },
      scheduler,
      fleet,
      durationSeconds: (performance.now() - started) / 1000,
    };
    await writeResults(output, results);
    process.stdout.write(`\n${formatTable(results)}\nFigures written to ${output}\n`);
  }
} finally {
  await server?.stop();
  await db.stop();
}

/** The admin phase, or null where there is no Chromium to open the admin in. */
async function adminPhase(server: ServerProcess): Promise<AdminOpenFigures | null> {
  if (!chromiumAvailable()) {
    say('admin: no Chromium, the admin phase is skipped');
    return null;
  }
  say(`admin: a run of ${sizes.adminLines} lines beside one of 100, opened ${sizes.adminRepetitions} times each`);
  const figures = await adminOpenPhase(db.pool, new URL(server.httpUrl).origin, BENCH_ADMIN_TOKEN, { lines: sizes.adminLines, repetitions: sizes.adminRepetitions });
  const { small, large } = figures;
  say(`  100 lines: first row ${small.firstRowMs} ms, all ${small.allLoadedMs} ms, ${small.longTasks} long tasks, longest ${small.longestTaskMs} ms`);
  say(`  ${large.lines} lines: first row ${large.firstRowMs} ms, all ${large.allLoadedMs} ms, ${large.longTasks} long tasks, longest ${large.longestTaskMs} ms`);
  say(`  ratios: first row ${figures.firstRowRatio.toFixed(2)}, all loaded ${figures.allLoadedRatio.toFixed(2)}`);
  return figures;
}

/** The selected phases alone, their figures printed only. */
async function partialRun(server: ServerProcess, viewer: { token: string }): Promise<void> {
  const pool = db.pool;
  say(`RSS at rest ${Math.round((await server.rss()) / 2 ** 20)} MB`);
  if (runs('ingest')) {
    say(`ingest: ${sizes.ingestRunners} runners for ${sizes.ingestSeconds} s, log_line indexed by ${(await logLineIndexes(pool, PRODUCTION_INDEXES)).join(', ')}`);
    const ingestRuns = await runningRuns(pool, sizes.ingestRunners, 'ingest');
    // CPU per line: the server's and the database's, where wall-clock rates drift with the machine's other load.
    const cpu = async () => ({ server: await processCpuSeconds(server.pid), database: await databaseCpuSeconds(pool) });
    const perLine = (before: { server: number; database: number }, after: { server: number; database: number }, lines: number) =>
      `server ${((1e6 * (after.server - before.server)) / lines).toFixed(1)} µs, database ${((1e6 * (after.database - before.database)) / lines).toFixed(1)} µs CPU per line`;
    const beforeApi = await cpu();
    const api = await ingestThroughApi(server.httpUrl, ingestRuns, { batchLines: sizes.ingestBatchLines, seconds: sizes.ingestSeconds });
    const afterApi = await cpu();
    const [copyRun] = await runningRuns(pool, 1, 'copy');
    const copy = await ingestWithCopy(db.url, copyRun!.runId, api.lines, sizes.ingestBatchLines);
    const beforeBare = await cpu();
    const bare = await ingestWithBareCopy(db.url, copyRun!.runId, api.lines, sizes.ingestBatchLines);
    const afterBare = await cpu();
    say(
      `  API ${api.linesPerSecond} lines/s, COPY ${copy.linesPerSecond} lines/s, ratio ${(api.linesPerSecond / copy.linesPerSecond).toFixed(2)}, ` +
        `bare table COPY ${bare.linesPerSecond} lines/s, ratio ${(api.linesPerSecond / bare.linesPerSecond).toFixed(2)}, RSS ${Math.round((await server.rss()) / 2 ** 20)} MB`,
    );
    say(`  API: ${perLine(beforeApi, afterApi, api.lines)}; bare table COPY: ${perLine(beforeBare, afterBare, bare.lines)}`);
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
  if (runs('busy') || runs('watched')) {
    const roundTrips = await notifyRoundTrips(db.url, server, load, (await runningRuns(pool, 1, 'round-trip'))[0]!.runId);
    say(`INSERT + NOTIFY p50 ${roundTrips.insertAndNotify.p50} ms, p99 ${roundTrips.insertAndNotify.p99} ms`);
    await settle(pool);
    if (runs('busy')) say(`busy run: ${JSON.stringify(await busyRunPhase(server, viewer))}`);
    if (runs('watched')) for (const w of await watchedPhase(server, viewer, load, roundTrips.insertAndNotify)) say(`every line watched: ${JSON.stringify(w)}`);
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
  if (runs('queries') || runs('exports') || runs('search')) {
    await dropSearchIndex(pool);
    const bulk = await loadBulkData(pool, { runs: sizes.queryRuns, scrapers: sizes.queryScrapers, logLines: sizes.queryLogLines, replayLines: sizes.replayLines, products: sizes.queryProducts });
    await settle(pool);
    if (runs('exports')) say(`export: ${JSON.stringify(await exportRunLogs(server, viewer, bulk.replayRunId, bulk.replayLines))}`);
    if (runs('queries')) say(JSON.stringify(await measureQueries(server.httpUrl, viewer, queryProbes(bulk), sizes.queryIterations)));
    if (runs('search')) say(JSON.stringify(await logSearchPhase(pool, server.httpUrl, viewer, sizes, say)));
  }
  if (runs('replay') && !runs('queries')) {
    // The replay run's lines alone, without the query phase's 10,000,000 others.
    const bulk = await loadBulkData(pool, { runs: 1000, scrapers: 10, logLines: sizes.replayLines, replayLines: sizes.replayLines, products: 0 });
    await settle(pool);
    const select = await replayWithSelect(db.url, bulk.replayRunId, bulk.replayLines);
    const cpuBefore = await processCpuSeconds(server.pid);
    const own = process.cpuUsage();
    const api = await replayToSubscriber(server.wsUrl, viewer, bulk.replayRunId, bulk.replayLines);
    const cpu = (await processCpuSeconds(server.pid)) - cpuBefore;
    const subscriberCpu = process.cpuUsage(own);
    say(
      `replay of ${bulk.replayLines} lines: subscriber ${api.linesPerSecond} lines/s, SELECT ${select.linesPerSecond} lines/s, ` +
        `ratio ${(api.linesPerSecond / select.linesPerSecond).toFixed(2)}; over ${api.seconds.toFixed(1)} s, server CPU ${cpu.toFixed(1)} s, ` +
        `subscriber CPU ${((subscriberCpu.user + subscriberCpu.system) / 1e6).toFixed(1)} s`,
    );
  }
  if (runs('trends') && !runs('queries')) {
    const bulk = await loadBulkData(pool, { runs: sizes.queryRuns, scrapers: sizes.queryScrapers, logLines: 0, replayLines: 1000, products: 0 });
    say(`trends: ${sizes.queryRuns} runs and their rollups loaded in ${Math.round(bulk.seconds)} s`);
    await settle(pool);
    for (const q of await measureQueries(server.httpUrl, viewer, trendProbes(bulk), sizes.queryIterations)) {
      say(`  ${q.name}: p50 ${q.p50.toFixed(2)} ms, p99 ${q.p99.toFixed(2)} ms`);
    }
  }
  if (runs('admin')) await adminPhase(server);
  if (runs('fleet')) {
    const fleet = await fleetPhase(pool, server, viewer, sizes.fleet, say);
    process.stdout.write(`\n${markdownTable(fleetRows(fleet))}\n`);
  }
  if (runs('products')) {
    const catalogue = await loadSearchProducts(pool, sizes.searchProducts);
    say(`products: ${catalogue.products} loaded in ${Math.round(catalogue.seconds)} s`);
    await settle(pool);
    for (const q of await measureQueries(server.httpUrl, viewer, productProbes(catalogue), sizes.queryIterations)) {
      say(`  ${q.name}: p50 ${q.p50.toFixed(2)} ms, p99 ${q.p99.toFixed(2)} ms`);
    }
    say(`history: ${JSON.stringify(await measureHistorySpace(pool, Math.min(100_000, sizes.searchProducts)))}`);
  }
}

/**
 * Every line watched, with each count of subscribers per run, beside its ceiling measured right
 * after it: the bare broadcast to as many sockets plus the INSERT + NOTIFY round trip (a real append
 * waits for a commit that the bare broadcast does not).
 */
async function watchedPhase(server: ServerProcess, viewer: { token: string }, load: LoadOptions, insertAndNotify: Latency): Promise<BenchResults['watched']> {
  const results: BenchResults['watched'] = [];
  for (const perRun of sizes.watched.subscribersPerRun) {
    const subscribers = perRun * sizes.watched.runs;
    say(`every line watched: ${n(sizes.watched.linesPerSecond)} lines/s over ${sizes.watched.runs} runs, ${perRun} subscriber(s) each`);
    const watchedRuns = await withFirstLine(server.httpUrl, db.pool, await runningRuns(db.pool, sizes.watched.runs, `watched-${perRun}`));
    const figures = await everyLineWatched(server, viewer, db.pool, watchedRuns, { ...sizes.watched, subscribersPerRun: perRun });
    await endRuns(db.pool, watchedRuns);
    say(`  p50 ${figures.p50} ms, p99 ${figures.p99} ms, ${n(figures.linesPerSecondAchieved)} lines/s, peak RSS ${Math.round(figures.peakRss / 2 ** 20)} MB, CPU server ${figures.serverCpu} PostgreSQL ${figures.postgresCpu}`);
    await settle(db.pool);
    const broadcast = await broadcastLatency(server.httpUrl, subscribers, load);
    const ceiling = { p50: broadcast.p50 + insertAndNotify.p50, p99: broadcast.p99 + insertAndNotify.p99 };
    say(`  ceiling: bare broadcast to ${subscribers} p50 ${broadcast.p50} ms, p99 ${broadcast.p99} ms, + INSERT + NOTIFY`);
    results.push({ ...figures, broadcast, ceiling, p50Ratio: figures.p50 / ceiling.p50, p99Ratio: figures.p99 / ceiling.p99 });
    await settle(db.pool);
  }
  return results;
}

async function busyRunPhase(server: ServerProcess, viewer: { token: string }): Promise<BusyRunFigures> {
  const { linesPerSecond, batchLines, maxInFlight } = sizes.busyRun;
  say(`busy run: ${n(linesPerSecond)} lines/s to one run as ${batchLines}-line batches, open loop, up to ${maxInFlight} in flight`);
  const [run] = await withFirstLine(server.httpUrl, db.pool, await runningRuns(db.pool, 1, 'busy'));
  const figures = await busyRun(server, viewer, run!, sizes.busyRun);
  await endRuns(db.pool, [run!]);
  say(`  p50 ${figures.p50} ms, p99 ${figures.p99} ms (first ${figures.firstSeconds.p99} ms, last ${figures.lastSeconds.p99} ms), ${n(figures.linesPerSecondAchieved)} lines/s`);
  await settle(db.pool);
  return figures;
}
