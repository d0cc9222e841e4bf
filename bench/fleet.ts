/**
 * The fleet phase: idle runners waiting for work (fleetRunners.ts, the runner's own client and wait
 * loop, in a process of its own: on workAvailable over websocket, or with BENCH_FLEET_WAIT=claim
 * holding claimRun open over HTTP as where websockets do not get through) at each count of
 * sizes.fleet.runners on one server, and what they cost it: its CPU and RSS, PostgreSQL's CPU, the
 * connections open on both, and the admin's runs page asked at a steady rate beside them against the
 * same page asked with no runner, earlier in the same run. At the first count, runs are triggered one
 * after another, and each is timed from its triggerRun being sent to a waiting runner's claim of it
 * being answered.
 */
import type pg from 'pg';
import { readSettings } from '../scrapers/runner/cli.ts';
import { generateSecret, hashSecret } from '../server/auth/secrets.ts';
import { graphql, type Credentials } from './client.ts';
import { settle } from './database.ts';
import { endRuns } from './fixtures.ts';
import { startFleetProcess, type FleetProcess } from './fleetProcess.ts';
import type { FleetTally } from './fleetRunners.ts';
import { cpuOver, databaseConnections, openSockets, pacedQuery, scrapeMetrics, waitUntil } from './fleetProbes.ts';
import { databaseCpuSeconds, processCpuSeconds } from './processCpu.ts';
import { RUNS_FIRST_PAGE } from './queries.ts';
import type { ServerProcess } from './serverProcess.ts';
import type { BenchSizes } from './sizes.ts';
import { every, latency, peakOf, round, sleep, type Latency } from './stats.ts';

export type FleetLevelFigures = {
  runners: number;
  /** scrapedeck_runners_waiting as the window began. */
  waiting: number;
  seconds: number;
  /** Cores: the mean over the window, and the server's busiest second in it. */
  serverCpu: number;
  serverCpuPeak: number;
  postgresCpu: number;
  /** The runners' own process, which shares the machine. */
  runnersCpu: number;
  rss: number;
  peakRss: number;
  /** V8's heap in use as the window ended (scrapedeck_nodejs_heap_size_used_bytes). */
  heapUsed: number;
  /** The server's longest event loop delay in the window, in ms (nothing else reads /metrics meanwhile, which resets it). */
  eventLoopDelayMax: number;
  /** Halfway through the window: the server process's open sockets, and PostgreSQL's client connections. */
  serverSockets: number;
  databaseConnections: { server: number; total: number };
  admin: Latency;
  adminP99Ratio: number;
  /** Claims answered in the window (each runner's wait ending once), with a run, and null in under half a second. */
  claimsAnswered: number;
  claimsEarly: number;
  /** The server's CPU in the window beyond the same window with no runner, per claim answered. */
  cpuMsPerClaim: number;
  /** Failed claims in the window by message (the runners' side), and GraphQL errors and HTTP statuses other than 200 (the server's /metrics). */
  runnerErrors: Record<string, number>;
  serverErrors: Record<string, number>;
};

export type FleetFigures = {
  waitSeconds: number;
  /** The runners held claimRun open over HTTP, rather than waiting on workAvailable. */
  heldClaims: boolean;
  adminPerSecond: number;
  /** The same window with no runner, in the same run. */
  baseline: FleetLevelFigures;
  levels: FleetLevelFigures[];
  /** The first count of runners the server never counted waiting (the phase stops there): the most it counted, and why. */
  unreached: { runners: number; waiting: number | null; failure: string } | null;
  /** The server process ended during the phase. */
  serverExited: boolean;
  /** From triggerRun sent to its claim answered, with levels[0].runners waiting; wakeups: scrapedeck_runner_wakeups_total meanwhile. */
  wakeUp: (Latency & { runners: number; triggers: number; claimed: number; wakeups: number }) | null;
  /** After the runners' process hung up: how long until none was counted waiting; null when the server had gone. */
  drainSeconds: number | null;
  /** Over the whole phase. */
  runnerErrors: Record<string, number>;
  serverErrors: Record<string, number>;
  /** value null: not measured, as the fleet it is set for was never reached. */
  targets: Record<'serverCpu' | 'rss' | 'adminP99Ratio' | 'wakeUpP99', { value: number | null; target: number; met: boolean }>;
};

/** The issue's targets: at the largest fleet, and the wake-up at the first. */
const TARGETS = { serverCpuCores: 0.1, rssBytes: 400 * 2 ** 20, adminP99Ratio: 1.5, wakeUpP99Ms: 250 };

const TRIGGER = `mutation Trigger($scraperId: ID!) {
  triggerRun(scraperId: $scraperId) { __typename ... on MutationTriggerRunSuccess { data { id } } ... on Error { message } }
}`;

/** Wall-clock milliseconds with the resolution of performance.now(), comparable with the runners' process. */
const wallClock = () => performance.timeOrigin + performance.now();

type Say = (message: string) => void;

export async function fleetPhase(pool: pg.Pool, server: ServerProcess, viewer: Credentials, sizes: BenchSizes['fleet'], say: Say): Promise<FleetFigures> {
  // The runner's own defaults, as `npm run runner` starts with them.
  const defaults = readSettings([], { SCRAPEDECK_API_URL: server.httpUrl, SCRAPEDECK_RUNNER_KEY: 'unused' });
  const waitSeconds = sizes.waitSeconds ?? defaults.waitSeconds;
  const windowSeconds = sizes.windowSeconds ?? waitSeconds;
  const most = Math.max(...sizes.runners);
  const seeded = await seedFleet(pool, most, sizes.triggers, sizes.historyRuns);
  if (seeded.cancelled > 0) say(`  ${seeded.cancelled} runs left QUEUED by earlier phases cancelled: the idle fleet would take them`);
  await settle(pool);
  const metricsAtStart = await scrapeMetrics(server.httpUrl);

  // Untimed: the first requests to a fresh server compile its code, and would flatter every ratio to them.
  await pacedQuery(server.httpUrl, viewer, RUNS_FIRST_PAGE, sizes.adminPerSecond, Math.min(10, sizes.baselineSeconds));
  say(`fleet: admin runs(first: 20) at ${sizes.adminPerSecond}/s for ${sizes.baselineSeconds} s with no runner`);
  const baseline = await measureLevel(pool, server, viewer, null, { runners: 0, seconds: sizes.baselineSeconds, adminPerSecond: sizes.adminPerSecond, baseline: null });
  say(`  server CPU ${round(baseline.serverCpu, 3)} cores, PostgreSQL CPU ${round(baseline.postgresCpu, 3)} cores, RSS ${mb(baseline.rss)}; admin p50 ${baseline.admin.p50} ms, p99 ${baseline.admin.p99} ms`);

  const fleet = startFleetProcess();
  const claims = new Map<string, number>();
  fleet.onClaim((runId, at) => claims.set(runId, at));
  const levels: FleetLevelFigures[] = [];
  let unreached: FleetFigures['unreached'] = null;
  let wakeUp: FleetFigures['wakeUp'] = null;
  try {
    let started = 0;
    for (const runners of sizes.runners) {
      say(`fleet: ${runners} idle runners (${sizes.heldClaims ? `claimRun held ${waitSeconds} s over HTTP` : 'workAvailable over websocket'}), started ${sizes.perSecond}/s`);
      const adding = fleet.add({ url: server.httpUrl, keys: seeded.keys.slice(started, runners), heldClaims: sizes.heldClaims, waitSeconds, pollMs: defaults.pollMs, perSecond: sizes.perSecond });
      // Read while they start: a server that gives way under the ramp is seen doing so.
      const rampMs = ((runners - started) * 1000) / sizes.perSecond;
      const waiting = await waitUntil(() => countWaiting(server), (count) => count >= runners, rampMs + 60_000 + waitSeconds * 1000);
      started = await adding;
      if (!waiting.reached) {
        unreached = { runners, waiting: Number.isNaN(waiting.most) ? null : waiting.most, failure: await whyUnreached(server, fleet, metricsAtStart) };
        say(`  never reached: at most ${unreached.waiting ?? 'none'} counted waiting; ${unreached.failure}`);
        break;
      }
      await settle(pool);
      await sleep(2000);
      const level = await measureLevel(pool, server, viewer, fleet, { runners, seconds: windowSeconds, adminPerSecond: sizes.adminPerSecond, baseline });
      say(
        `  server CPU ${round(level.serverCpu, 3)} cores (busiest second ${round(level.serverCpuPeak, 2)}), RSS ${mb(level.rss)}, heap ${mb(level.heapUsed)}, longest event loop delay ${round(level.eventLoopDelayMax, 0)} ms, ` +
          `PostgreSQL CPU ${round(level.postgresCpu, 3)} cores, server sockets ${level.serverSockets}, its PostgreSQL connections ${level.databaseConnections.server}; ` +
          `admin p50 ${level.admin.p50} ms, p99 ${level.admin.p99} ms (${round(level.adminP99Ratio, 2)}× of none); ${level.claimsAnswered} waits ended`,
      );
      levels.push(level);
      if (!wakeUp) {
        say(`fleet: ${sizes.triggers} runs triggered ${sizes.triggerEveryMs} ms apart, ${runners} runners waiting`);
        wakeUp = { ...(await triggerAndClaim(pool, server, viewer, seeded.scraperIds, sizes.triggerEveryMs, claims)), runners };
        say(`  trigger to claim p50 ${wakeUp.p50} ms, p99 ${wakeUp.p99} ms, max ${wakeUp.max} ms; ${wakeUp.claimed} of ${wakeUp.triggers} claimed, ${wakeUp.wakeups} wakeups`);
      }
    }
  } catch (error) {
    // The runners go before the error does: left waiting, they would hold the benchmark's server.
    await fleet.stop().catch(() => undefined);
    throw error;
  }
  const stopped = performance.now();
  const tally = await fleet.stop();
  const drained = server.running() ? await waitUntil(() => countWaiting(server), (count) => count === 0, 60_000) : null;
  const drainSeconds = drained?.reached ? (performance.now() - stopped) / 1000 : null;
  const serverErrors = server.running() ? errorsBetween(metricsAtStart, await scrapeMetrics(server.httpUrl)) : {};
  say(`fleet: stopped; none waiting after ${drainSeconds === null ? '(never)' : `${round(drainSeconds, 1)} s`}; runner errors ${JSON.stringify(tally.errors)}, server errors ${JSON.stringify(serverErrors)}`);
  const largest = unreached ? undefined : levels.find((l) => l.runners === most);
  const below = (value: number | undefined, target: number) => ({ value: value ?? null, target, met: value !== undefined && value < target });
  return {
    waitSeconds,
    heldClaims: sizes.heldClaims,
    adminPerSecond: sizes.adminPerSecond,
    baseline,
    levels,
    unreached,
    serverExited: !server.running(),
    wakeUp,
    drainSeconds,
    runnerErrors: tally.errors,
    serverErrors,
    targets: {
      serverCpu: below(largest?.serverCpu, TARGETS.serverCpuCores),
      rss: below(largest?.rss, TARGETS.rssBytes),
      adminP99Ratio: { value: largest?.adminP99Ratio ?? null, target: TARGETS.adminP99Ratio, met: largest !== undefined && largest.adminP99Ratio <= TARGETS.adminP99Ratio },
      wakeUpP99: below(wakeUp?.p99, TARGETS.wakeUpP99Ms),
    },
  };
}

/** scrapedeck_runners_waiting; a scrape refused by a busy server is asked again, one by a server that has gone fails. */
async function countWaiting(server: ServerProcess): Promise<number> {
  for (;;) {
    try {
      return (await scrapeMetrics(server.httpUrl)).get('scrapedeck_runners_waiting') ?? 0;
    } catch (error) {
      if (!server.running()) throw error;
      await sleep(250);
    }
  }
}

/** What the runners were answered, and the server's state: the phase's account of a fleet the server did not take. */
async function whyUnreached(server: ServerProcess, fleet: FleetProcess, metricsAtStart: Map<string, number>): Promise<string> {
  const { answered, errors } = await fleet.tally();
  const failed = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  const runners = `the runners: ${answered} claims answered, ${failed.reduce((sum, [, count]) => sum + count, 0)} failed (${failed.map(([message, count]) => `${count} × ${message}`).join('; ') || 'none'})`;
  const exit = server.exit();
  if (exit) {
    // V8's own words when the heap ran out, else the last thing the server said.
    const said = /FATAL ERROR: .*/.exec(exit.output)?.[0] ?? exit.output.trim().split('\n').pop()?.slice(0, 300) ?? '';
    return `the server exited (${exit.signal ?? `code ${exit.code}`}: ${said}); ${runners}`;
  }
  const serverErrors = errorsBetween(metricsAtStart, await scrapeMetrics(server.httpUrl));
  return `${runners}; the server: ${JSON.stringify(serverErrors)}`;
}

/**
 * The fleet's rows, in one statement each: runners with keys only the phase knows, scrapers to
 * trigger (one run each: a scraper runs one run at a time), and finished runs for the admin's page,
 * all of the last week: older ones would have the server's log retention visit each of them in the
 * middle of a window. Runs left QUEUED by earlier phases are cancelled.
 */
async function seedFleet(pool: pg.Pool, runners: number, scrapers: number, historyRuns: number) {
  const keys = Array.from({ length: runners }, () => generateSecret('runner'));
  await pool.query(`INSERT INTO runner (name, key_hash) SELECT 'bench-fleet-' || n, h FROM unnest($1::text[]) WITH ORDINALITY AS k(h, n)`, [keys.map(hashSecret)]);
  const { rows } = await pool.query<{ id: number }>(
    `WITH s AS (INSERT INTO source (name, url) SELECT 'bench-fleet source ' || i, 'http://127.0.0.1/bench-fleet-' || i FROM generate_series(1, $1) i RETURNING id)
     INSERT INTO scraper (slug, name, source_id) SELECT 'bench-fleet-' || s.id, 'Fleet scraper ' || s.id, s.id FROM s RETURNING id`,
    [scrapers],
  );
  const scraperIds = rows.map((r) => r.id);
  await pool.query(
    `INSERT INTO run (scraper_id, status, triggered_by, queued_at, started_at, completed_at, duration_seconds)
     SELECT ($1::int[])[1 + i % cardinality($1::int[])], 'SUCCESS', 'SCHEDULER', q.at, q.at + interval '1 second', q.at + interval '61 seconds', 60
       FROM generate_series(1, $2) i CROSS JOIN LATERAL (SELECT now() - (7 * 86400.0 * i / $2) * interval '1 second' AS at) q`,
    [scraperIds, historyRuns],
  );
  const { rowCount } = await pool.query(`UPDATE run SET status = 'CANCELLED', completed_at = now() WHERE status = 'QUEUED'`);
  return { keys, scraperIds, cancelled: rowCount ?? 0 };
}

type LevelOptions = { runners: number; seconds: number; adminPerSecond: number; baseline: FleetLevelFigures | null };

const NO_TALLY: FleetTally = { runners: 0, answered: 0, claimed: 0, early: 0, errors: {} };

/** One window: the admin's page asked at its rate, and what the server and PostgreSQL spend meanwhile, with the fleet or with none. */
async function measureLevel(pool: pg.Pool, server: ServerProcess, viewer: Credentials, fleet: FleetProcess | null, options: LevelOptions): Promise<FleetLevelFigures> {
  const metricsBefore = await scrapeMetrics(server.httpUrl);
  const tallyBefore = (await fleet?.tally()) ?? NO_TALLY;
  const serverCpu = cpuOver(() => processCpuSeconds(server.pid));
  const postgresCpu = cpuOver(() => databaseCpuSeconds(pool));
  const runnersCpu = cpuOver(async () => (fleet ? processCpuSeconds(fleet.pid) : 0));
  const rss = peakOf(() => server.rss(), 1000);
  const halfway = sleep(options.seconds * 500).then(() => Promise.all([openSockets(server.pid), databaseConnections(pool)]));
  const admin = await pacedQuery(server.httpUrl, viewer, RUNS_FIRST_PAGE, options.adminPerSecond, options.seconds);
  const [server_, postgres, runners, peakRss] = await Promise.all([serverCpu.stop(), postgresCpu.stop(), runnersCpu.stop(), rss.stop()]);
  const [serverSockets, connections] = await halfway;
  const tallyAfter = (await fleet?.tally()) ?? NO_TALLY;
  const metricsAfter = await scrapeMetrics(server.httpUrl);
  const claimsAnswered = tallyAfter.answered - tallyBefore.answered;
  const cpuBeyondNone = (server_.mean - (options.baseline?.serverCpu ?? server_.mean)) * server_.seconds;
  return {
    runners: options.runners,
    waiting: metricsBefore.get('scrapedeck_runners_waiting') ?? 0,
    seconds: options.seconds,
    serverCpu: server_.mean,
    serverCpuPeak: server_.peak,
    postgresCpu: postgres.mean,
    runnersCpu: runners.mean,
    rss: await server.rss(),
    peakRss,
    heapUsed: metricsAfter.get('scrapedeck_nodejs_heap_size_used_bytes') ?? 0,
    eventLoopDelayMax: 1000 * (metricsAfter.get('scrapedeck_nodejs_eventloop_lag_max_seconds') ?? 0),
    serverSockets,
    databaseConnections: connections,
    admin,
    adminP99Ratio: options.baseline ? admin.p99 / options.baseline.admin.p99 : 1,
    claimsAnswered,
    claimsEarly: tallyAfter.early - tallyBefore.early,
    cpuMsPerClaim: claimsAnswered > 0 ? Math.max(0, (1000 * cpuBeyondNone) / claimsAnswered) : 0,
    runnerErrors: countsBetween(tallyBefore.errors, tallyAfter.errors),
    serverErrors: errorsBetween(metricsBefore, metricsAfter),
  };
}

/**
 * Triggers a run of each scraper, everyMs apart, and times each from its triggerRun being sent to
 * the runners' process being answered its claim; the claimed runs are then ended, as their runner
 * would, so that their leases do not run out (and their retries queue) in the next window.
 */
async function triggerAndClaim(pool: pg.Pool, server: ServerProcess, viewer: Credentials, scraperIds: number[], everyMs: number, claims: Map<string, number>) {
  const wakeupsBefore = (await scrapeMetrics(server.httpUrl)).get('scrapedeck_runner_wakeups_total') ?? 0;
  const sent = new Map<string, number>();
  const pending: Array<Promise<void>> = [];
  let failure: Error | undefined;
  const pace = every(1000 / everyMs, (i) => {
    const scraperId = scraperIds[i];
    if (scraperId === undefined) return;
    const at = wallClock();
    const trigger = graphql(server.httpUrl, viewer, TRIGGER, { scraperId: String(scraperId) }).then((data) => {
      const result = data.triggerRun;
      if (result.__typename !== 'MutationTriggerRunSuccess') throw new Error(`triggerRun: ${result.__typename} ${result.message ?? ''}`);
      sent.set(String(result.data.id), at);
    });
    pending.push(trigger.catch((error: Error) => void (failure ??= error)));
  });
  await sleep(scraperIds.length * everyMs);
  pace.stop();
  await Promise.all(pending);
  if (failure) throw failure;
  const claimedOf = async () => [...sent.keys()].filter((id) => claims.has(id)).length;
  // A run nobody claimed stays unclaimed in the figures rather than failing the phase.
  await waitUntil(claimedOf, (n) => n === sent.size, 10_000);
  const samples = [...sent].filter(([id]) => claims.has(id)).map(([id, at]) => claims.get(id)! - at);
  await endRuns(pool, [...sent.keys()].map((id) => ({ runId: Number(id) })));
  const wakeupsAfter = (await scrapeMetrics(server.httpUrl)).get('scrapedeck_runner_wakeups_total') ?? 0;
  return { ...latency(samples), triggers: sent.size, claimed: samples.length, wakeups: wakeupsAfter - wakeupsBefore };
}

function countsBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) if (value - (before[key] ?? 0) > 0) result[key] = value - (before[key] ?? 0);
  return result;
}

/** GraphQL errors by code and HTTP answers other than 200 by status, from two scrapes of /metrics. */
function errorsBetween(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const pick = (samples: Map<string, number>) =>
    Object.fromEntries(
      [...samples].filter(([key]) => key.startsWith('scrapedeck_graphql_errors_total{') || (key.startsWith('scrapedeck_http_requests_total{status=') && !key.endsWith('"200"}'))),
    );
  return countsBetween(pick(before), pick(after));
}

const mb = (bytes: number) => `${round(bytes / 2 ** 20, 1)} MB`;
