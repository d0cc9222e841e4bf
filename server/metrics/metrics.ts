/**
 * Prometheus metrics of one server instance, served at /metrics. Counters of this instance's own
 * work (requests, operations, errors, appended lines, refusals), gauges read at scrape time
 * (subscribers, connections, LISTEN health), and database-wide gauges (runs by status, queue
 * depth, NOTIFY queue usage) which read the same on every instance: aggregate those with max().
 * NOTIFY lag is measured by a probe: every instance NOTIFYs itself and times the round trip.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { getOperationAST, type GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type pg from 'pg';
import type { PgListener } from '../db/listener.ts';
import type { Logger } from '../logger.ts';

const PROBE_CHANNEL = 'scrapedeck_probe';

export type MetricsSources = {
  pool: pg.Pool;
  listener: PgListener;
  logger: Logger;
  jobLogsSubscribers: () => number;
  runUpdatedSubscribers: () => number;
  /** Runner keys answered from this instance's cache, and looked up in the database, since start. */
  runnerKeys: () => { kept: number; lookedUp: number };
  /** runnerUpdated subscribers, and how many times the presence sweep has read who is online since start. */
  runnerPresence: () => { subscribers: number; readings: number };
  /** Batches handed to jobLogs subscribers so far, by how they were obtained. */
  logBatchesFannedOut: () => { read: number; stored: number };
  /** Log batches waiting for their run's statement before them to finish. */
  logBatchesWaiting: () => number;
  /** Runners waiting for work on this instance, and how many times one was woken since start. */
  claimWaiters: () => { waiting: number; woken: number; turnedAway: number };
  /** How often the NOTIFY round trip is probed. */
  probeIntervalMs?: number;
};

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(sources: MetricsSources) {
  const { pool, listener, logger } = sources;
  // A registry per instance, not prom-client's global one: tests run several instances in one process.
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'scrapedeck' });
  collectDefaultMetrics({ register: registry, prefix: 'scrapedeck_' });
  const registers = [registry];
  let openConnections: () => number = () => 0;

  const httpRequests = new Counter({
    name: 'scrapedeck_http_requests_total',
    help: 'HTTP requests answered, by route and status code.',
    labelNames: ['route', 'status'] as const,
    registers,
  });
  const operations = new Counter({
    name: 'scrapedeck_graphql_operations_total',
    help: 'GraphQL operations executed (HTTP and websocket), by operation type.',
    labelNames: ['type'] as const,
    registers,
  });
  const errors = new Counter({
    name: 'scrapedeck_graphql_errors_total',
    help: 'GraphQL errors returned, by extensions.code (INTERNAL_SERVER_ERROR for masked unexpected errors).',
    labelNames: ['code'] as const,
    registers,
  });
  const logLinesAppended = new Counter({
    name: 'scrapedeck_log_lines_appended_total',
    help: 'Log lines stored by appendLogs on this instance (retried batches not counted twice).',
    registers,
  });
  const websocketRefusals = new Counter({
    name: 'scrapedeck_websocket_refusals_total',
    help: 'Websocket connections closed by the server, by close code (4403 forbidden or revoked, 4430 rate limited).',
    labelNames: ['code'] as const,
    registers,
  });
  const notifyLag = new Histogram({
    name: 'scrapedeck_notify_lag_seconds',
    help: 'Time from a NOTIFY to its arrival on this instance\'s LISTEN connection (probed periodically).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  new Gauge({
    name: 'scrapedeck_subscribers',
    help: 'Open GraphQL subscriptions on this instance, by subscription.',
    labelNames: ['subscription'] as const,
    registers,
    collect() {
      this.set({ subscription: 'jobLogs' }, sources.jobLogsSubscribers());
      this.set({ subscription: 'runUpdated' }, sources.runUpdatedSubscribers());
      this.set({ subscription: 'runnerUpdated' }, sources.runnerPresence().subscribers);
    },
  });
  followTotals(registers, 'scrapedeck_runner_key_lookups_total',
    'Runner keys checked, by where the answer came from: "kept" (this instance found the key valid before, see RunnerKeyCache) or "database".',
    () => {
      const { kept, lookedUp } = sources.runnerKeys();
      return { kept, database: lookedUp };
    });
  followTotals(registers, 'scrapedeck_runner_presence_readings_total',
    'Times this instance read which runners are online, for its runnerUpdated subscribers (only while it has some).',
    () => sources.runnerPresence().readings);
  followTotals(registers, 'scrapedeck_log_batches_fanned_out_total',
    'Batches of log lines handed to this instance\'s jobLogs subscribers: "read" back after an announcement, or "stored" by this instance and handed over without a read.',
    () => sources.logBatchesFannedOut());
  new Gauge({
    name: 'scrapedeck_log_batches_waiting',
    help: "Log batches waiting on this instance for their run's previous statement; those waiting together are stored in one.",
    registers,
    collect() {
      this.set(sources.logBatchesWaiting());
    },
  });
  followTotals(registers, 'scrapedeck_runner_waits_turned_away_total',
    'Waits for work ended as they began because this instance held as many waiting runners as it may (CLAIM_WAIT_MAX_RUNNERS, or half the heap): raise MAX_HEAP_MB or add instances.',
    () => sources.claimWaiters().turnedAway);
  new Gauge({
    name: 'scrapedeck_runners_waiting',
    help: 'Runners waiting for work on this instance: a workAvailable subscription, or a claimRun held open.',
    registers,
    collect() {
      this.set(sources.claimWaiters().waiting);
    },
  });
  followTotals(registers, 'scrapedeck_runner_wakeups_total',
    'Waiting runners told or woken because a run may have become claimable (at most one per scraper with a claimable run, per announcement burst or sweep).',
    () => sources.claimWaiters().woken);
  new Gauge({
    name: 'scrapedeck_websocket_connections',
    help: 'Open graphql-ws connections on this instance.',
    registers,
    collect() {
      this.set(openConnections());
    },
  });
  new Gauge({
    name: 'scrapedeck_listener_connected',
    help: '1 while this instance\'s LISTEN connection is up; live updates stall at 0.',
    registers,
    collect() {
      this.set(listener.connected ? 1 : 0);
    },
  });
  // The database-wide gauges share one query per scrape.
  let databaseRead: Promise<DatabaseFigures | null> | null = null;
  const readDatabase = () => (databaseRead ??= readDatabaseFigures(pool, logger).finally(() => setTimeout(() => (databaseRead = null), 1000).unref()));
  new Gauge({
    name: 'scrapedeck_runs',
    help: 'Runs in the database by status: the queue (QUEUED), the work in hand (RUNNING) and the outcomes.',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const figures = await readDatabase();
      if (!figures) return;
      this.reset();
      for (const [status, count] of Object.entries(figures.runsByStatus)) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'scrapedeck_queue_depth',
    help: 'Runs waiting for a runner (status QUEUED).',
    registers,
    async collect() {
      const figures = await readDatabase();
      if (figures) this.set(figures.runsByStatus.QUEUED ?? 0);
    },
  });
  new Gauge({
    name: 'scrapedeck_notify_queue_usage_ratio',
    help: 'pg_notification_queue_usage(): near 1, NOTIFY blocks commits (a LISTEN session is not reading).',
    registers,
    async collect() {
      const figures = await readDatabase();
      if (figures) this.set(figures.notifyQueueUsage);
    },
  });

  // The probe: the payload names this instance, so that each times only its own round trips.
  const instance = randomBytes(6).toString('hex');
  let stopProbe: (() => Promise<void>) | null = null;
  let probeTimer: NodeJS.Timeout | undefined;
  const probe = () =>
    pool.query(`SELECT pg_notify($1, $2)`, [PROBE_CHANNEL, `${instance}:${performance.timeOrigin + performance.now()}`]).catch((error) => {
      logger.warn({ err: error }, 'NOTIFY lag probe failed');
    });

  return {
    logLinesAppended,
    websocketRefusals,
    /** Counts the HTTP request under its route once its response is done. */
    countRequest(res: ServerResponse, route: string) {
      res.once('close', () => httpRequests.inc({ route, status: String(res.statusCode) }));
    },
    /** Where the open websocket count comes from; the app owns the websocket server. */
    countConnectionsWith(count: () => number) {
      openConnections = count;
    },
    async start() {
      stopProbe = await listener.on(PROBE_CHANNEL, (payload) => {
        const [from, sentAt] = payload.split(':');
        if (from !== instance) return;
        const lag = (performance.timeOrigin + performance.now() - Number(sentAt)) / 1000;
        if (Number.isFinite(lag) && lag >= 0) notifyLag.observe(lag);
      });
      void probe();
      probeTimer = setInterval(probe, sources.probeIntervalMs ?? 15_000);
      probeTimer.unref();
    },
    async stop() {
      clearInterval(probeTimer);
      await stopProbe?.();
    },
    /** Counts operations and the errors they return; an envelop plugin, so websocket operations count too. */
    plugin() {
      const countErrors = (list: readonly GraphQLError[] | undefined) => {
        for (const error of list ?? []) errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR').slice(0, 40) });
      };
      return {
        onParse() {
          return ({ result }: { result: unknown }) => {
            if (result instanceof Error) errors.inc({ code: 'GRAPHQL_PARSE_FAILED' });
          };
        },
        onValidate() {
          return ({ valid }: { valid: boolean }) => {
            if (!valid) errors.inc({ code: 'GRAPHQL_VALIDATION_FAILED' });
          };
        },
        onExecute({ args }: { args: { document: DocumentNode; operationName?: string | null } }) {
          operations.inc({ type: operationType(args.document, args.operationName) });
          return {
            onExecuteDone({ result }: { result: ExecutionResult | AsyncIterable<ExecutionResult> }) {
              if (!(Symbol.asyncIterator in result)) countErrors(result.errors);
            },
          };
        },
        onSubscribe({ args }: { args: { document: DocumentNode; operationName?: string | null } }) {
          operations.inc({ type: operationType(args.document, args.operationName) });
        },
      };
    },
    async serve(res: ServerResponse) {
      try {
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType }).end(body);
      } catch (error) {
        logger.error({ err: error }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
      }
    },
  };
}

function operationType(document: DocumentNode, operationName: string | null | undefined): string {
  return getOperationAST(document, operationName)?.operation ?? 'unknown';
}

type DatabaseFigures = { runsByStatus: Record<string, number>; notifyQueueUsage: number };

async function readDatabaseFigures(pool: pg.Pool, logger: Logger): Promise<DatabaseFigures | null> {
  try {
    const { rows } = await pool.query<{ status: string; count: number; usage: number }>({
      name: 'metrics_database_figures',
      // One count per status, each an index-only scan of run_status_queued_at_id_idx.
      text: `SELECT s.status::text AS status,
                    (SELECT count(*) FROM run r WHERE r.status = s.status)::int AS count,
                    pg_notification_queue_usage() AS usage
               FROM unnest(enum_range(NULL::"RunStatus")) AS s(status)`,
    });
    return {
      runsByStatus: Object.fromEntries(rows.map((r) => [r.status, r.count])),
      notifyQueueUsage: rows[0]?.usage ?? 0,
    };
  } catch (error) {
    // A scrape while the database is away still answers with this instance's own figures.
    logger.warn({ err: error }, 'reading database figures for metrics failed');
    return null;
  }
}

/**
 * A counter of something this instance counts itself since start (a total, or totals by `source`):
 * each scrape adds what the totals grew by.
 */
function followTotals(registers: Registry[], name: string, help: string, read: () => number | Record<string, number>): void {
  const soFar = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: typeof read() === 'number' ? [] : ['source'],
    registers,
    collect() {
      const now = read();
      for (const [source, total] of typeof now === 'number' ? [['', now] as const] : Object.entries(now)) {
        const grown = total - (soFar.get(source) ?? 0);
        if (source === '') this.inc(grown);
        else this.inc({ source }, grown);
        soFar.set(source, total);
      }
    },
  });
}
