/**
 * How big each phase of the benchmark is. `full` is the workload the figures in docs/performance.md
 * come from; BENCH_SCALE=small runs the same phases in about a minute on a busy machine, and `tiny`
 * is what the smoke test uses to prove that the benchmark still works.
 */
export type BenchSizes = {
  scale: 'full' | 'small' | 'tiny';
  /** Ingest phase: concurrent runners, each appending to its own run. */
  ingestRunners: number;
  ingestBatchLines: number;
  ingestSeconds: number;
  /** The steady background load of the latency phases. */
  backgroundLinesPerSecond: number;
  /** Subscriber counts of the fan-out phase, one measurement each. */
  fanoutSubscribers: number[];
  fanoutSeconds: number;
  /** Probe lines appended per second to the watched run; each one is a latency sample per subscriber. */
  probesPerSecond: number;
  /** The many-subscriptions phase: that many jobLogs subscriptions spread over that many runs. */
  manySubscriptions: number;
  manySubscriptionRuns: number;
  /** Replay: stored lines of one run a new subscriber receives. */
  replayLines: number;
  /** Query phase data. */
  queryRuns: number;
  queryScrapers: number;
  queryLogLines: number;
  queryProducts: number;
  /** The products phase: the catalogue the products list and its search are measured on. */
  searchProducts: number;
  /** Timed requests per query. */
  queryIterations: number;
  /** Scrapers scheduled every minute through the whole run, for the scheduler's latency. */
  schedulerScrapers: number;
  /** The busy run: one run's lines as batches sent open-loop, up to maxInFlight at once; windowSeconds at each end are compared. */
  busyRun: { linesPerSecond: number; batchLines: number; maxInFlight: number; seconds: number; windowSeconds: number };
  /** Every line watched: linesPerSecond over that many runs, batches of batchLines, with each count of subscribers per run in turn. */
  watched: { runs: number; linesPerSecond: number; batchLines: number; subscribersPerRun: number[]; seconds: number };
  /** The admin phase: lines of the run opened beside a run of 100, and opens of each. */
  adminLines: number;
  adminRepetitions: number;
  /**
   * The fleet phase: idle runners waiting for work, at each count in turn on one server (the
   * wake-up is measured at the first), started perSecond; the admin's runs page asked adminPerSecond
   * beside them and, first, with none. heldClaims: the runners hold claimRun open over HTTP (their
   * way where websockets do not get through) rather than wait on workAvailable. waitSeconds null is
   * the runner's own default; windowSeconds null is one such wait. historyRuns: finished runs the
   * admin's page is read from.
   */
  fleet: {
    runners: number[];
    perSecond: number;
    heldClaims: boolean;
    waitSeconds: number | null;
    baselineSeconds: number;
    windowSeconds: number | null;
    adminPerSecond: number;
    triggers: number;
    triggerEveryMs: number;
    historyRuns: number;
  };
};

const FULL: BenchSizes = {
  scale: 'full',
  ingestRunners: 4,
  ingestBatchLines: 500,
  ingestSeconds: 15,
  backgroundLinesPerSecond: 20_000,
  fanoutSubscribers: [1, 100, 1000],
  fanoutSeconds: 10,
  probesPerSecond: 20,
  manySubscriptions: 10_000,
  manySubscriptionRuns: 100,
  replayLines: 1_000_000,
  queryRuns: 1_000_000,
  queryScrapers: 200,
  queryLogLines: 10_000_000,
  queryProducts: 200_000,
  searchProducts: 1_000_000,
  queryIterations: 100,
  schedulerScrapers: 100,
  busyRun: { linesPerSecond: 20_000, batchLines: 100, maxInFlight: 32, seconds: 15, windowSeconds: 5 },
  watched: { runs: 100, linesPerSecond: 20_000, batchLines: 50, subscribersPerRun: [1, 10], seconds: 10 },
  adminLines: 100_000,
  adminRepetitions: 3,
  fleet: {
    runners: [2_000, 10_000],
    heldClaims: false,
    // About as fast as the server took first claims in on a 2-core machine (asked for 500 a second, it took
    // about 250): faster, they queue in the server instead of starting in step.
    perSecond: 250,
    waitSeconds: null,
    baselineSeconds: 20,
    windowSeconds: null,
    adminPerSecond: 5,
    triggers: 50,
    triggerEveryMs: 200,
    historyRuns: 100_000,
  },
};

const SMALL: BenchSizes = {
  scale: 'small',
  ingestRunners: 4,
  ingestBatchLines: 500,
  ingestSeconds: 4,
  backgroundLinesPerSecond: 5_000,
  fanoutSubscribers: [1, 10, 100],
  fanoutSeconds: 3,
  probesPerSecond: 20,
  manySubscriptions: 1000,
  manySubscriptionRuns: 10,
  replayLines: 100_000,
  queryRuns: 50_000,
  queryScrapers: 50,
  queryLogLines: 500_000,
  queryProducts: 20_000,
  searchProducts: 100_000,
  queryIterations: 30,
  schedulerScrapers: 20,
  busyRun: { linesPerSecond: 10_000, batchLines: 100, maxInFlight: 32, seconds: 8, windowSeconds: 3 },
  watched: { runs: 20, linesPerSecond: 5_000, batchLines: 50, subscribersPerRun: [1, 5], seconds: 4 },
  adminLines: 20_000,
  adminRepetitions: 2,
  fleet: {
    runners: [200, 1_000],
    heldClaims: false,
    perSecond: 250,
    waitSeconds: 10,
    baselineSeconds: 10,
    windowSeconds: null,
    adminPerSecond: 5,
    triggers: 20,
    triggerEveryMs: 200,
    historyRuns: 10_000,
  },
};

const TINY: BenchSizes = {
  scale: 'tiny',
  ingestRunners: 2,
  ingestBatchLines: 100,
  ingestSeconds: 1,
  backgroundLinesPerSecond: 1_000,
  fanoutSubscribers: [1, 5],
  fanoutSeconds: 1,
  probesPerSecond: 20,
  manySubscriptions: 50,
  manySubscriptionRuns: 5,
  replayLines: 5_000,
  queryRuns: 2_000,
  queryScrapers: 10,
  queryLogLines: 20_000,
  queryProducts: 1_000,
  searchProducts: 2_000,
  queryIterations: 5,
  schedulerScrapers: 5,
  busyRun: { linesPerSecond: 2_000, batchLines: 100, maxInFlight: 32, seconds: 2, windowSeconds: 1 },
  watched: { runs: 5, linesPerSecond: 1_000, batchLines: 50, subscribersPerRun: [1, 2], seconds: 1 },
  adminLines: 5_000,
  adminRepetitions: 1,
  fleet: {
    runners: [20, 50],
    heldClaims: false,
    perSecond: 100,
    waitSeconds: 2,
    baselineSeconds: 2,
    windowSeconds: null,
    adminPerSecond: 5,
    triggers: 5,
    triggerEveryMs: 100,
    historyRuns: 500,
  },
};

export function benchSizes(
  scale = process.env.BENCH_SCALE ?? 'full',
  fleetWaitSeconds = process.env.BENCH_FLEET_WAIT_SECONDS,
  fleetWait = process.env.BENCH_FLEET_WAIT,
): BenchSizes {
  const sizes = scale === 'full' ? FULL : scale === 'small' ? SMALL : scale === 'tiny' ? TINY : null;
  if (!sizes) throw new Error(`BENCH_SCALE must be full, small or tiny, not ${scale}`);
  if (fleetWait !== undefined && fleetWait !== 'signal' && fleetWait !== 'claim') throw new Error(`BENCH_FLEET_WAIT must be signal or claim, not ${fleetWait}`);
  const fleet = { ...sizes.fleet, heldClaims: fleetWait === 'claim' };
  if (fleetWaitSeconds === undefined) return { ...sizes, fleet };
  // The fleet at another wait than the runner's default (--wait-seconds), as a deployment whose load balancer allows it would run.
  const waitSeconds = Number(fleetWaitSeconds);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 1) throw new Error(`BENCH_FLEET_WAIT_SECONDS must be a whole number of seconds, not ${fleetWaitSeconds}`);
  return { ...sizes, fleet: { ...fleet, waitSeconds } };
}
