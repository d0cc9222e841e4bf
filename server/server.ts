/**
 * One server instance with everything it owns: database, LISTEN connection, log hub, run events
 * and the HTTP/websocket app. runServerProcess.ts runs it as a process; tests start several in one process.
 */
import type { Config } from './config.ts';
import { openDatabase } from './db/database.ts';
import { createPgListener } from './db/listener.ts';
import { migrate } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { LogHub } from './logs/logHub.ts';
import { RunLogWriter } from './logs/runLogWriter.ts';
import { openLiveBus } from './pubsub/liveBus.ts';
import { RunEvents } from './runs/runEvents.ts';
import { ClaimWaiters, waitersForHeap } from './runs/claimWaiters.ts';
import { getHeapStatistics } from 'node:v8';
import { ClaimWakeups } from './runs/claimWakeups.ts';
import { IncidentEvents } from './alerts/incidents/incidentEvents.ts';
import { RunnerPresence } from './runners/runnerPresence.ts';
import { FlagEvents } from './flags/flagEvents.ts';
import { alertPassJob } from './alerts/pass/alertPassJob.ts';
import { OpenConnections } from './auth/openConnections.ts';
import { RunnerKeyCache } from './auth/runnerKeyCache.ts';
import { RunnerSightings } from './runners/runnerSightings.ts';
import { createMetrics } from './metrics/metrics.ts';
import { LogRetention } from './logs/retention.ts';
import { openLogSearchPool } from './logs/search/searchPool.ts';
import { Scheduler, type SchedulerOptions } from './scheduler/scheduler.ts';
import { DeliveryWorker } from './alerts/delivery/deliveryWorker.ts';
import type { Logger } from './logger.ts';

const DELIVERY_SWEEP_QUEUE = 'alert-delivery-sweep';

export type RunningServer = { port: number; url: string; stop(): Promise<void> };

export async function startServer(options: {
  config: Config;
  databaseUrl: string;
  adminToken: string;
  logger: Logger;
  /** The scheduler's time; tests hand in pg-boss's TestClock. */
  schedulerClock?: SchedulerOptions['clock'];
}): Promise<RunningServer> {
  const { config, databaseUrl, adminToken, logger } = options;
  const listener = await createPgListener(databaseUrl, logger);
  // One bus carries log announcements and run changes. Whether writes NOTIFY them in their own
  // transaction follows from it, once, here; key revocations stay on NOTIFY (see OpenConnections).
  const liveBus = await openLiveBus({ pubsubUrl: config.pubsubUrl, databaseUrl, listener, logger }).catch(async (error: unknown) => {
    await listener.close();
    throw error;
  });
  const db = openDatabase(databaseUrl, logger, { notifyInTransaction: liveBus.announcesInTransaction });
  const { applied } = await migrate(db.pool);
  if (applied.length > 0) logger.info({ applied }, 'applied migrations');
  const runEvents = new RunEvents(db.pool, liveBus, logger);
  // The hub learns from run events when a run has ended, and so when its subscribers are complete.
  const logHub = new LogHub(db.pool, liveBus, logger, config.subscriberQueueLimit, runEvents);
  await logHub.start();
  await runEvents.start();
  // Every instance delivers the outbox; claims keep two from sending the same notification.
  const deliveries = new DeliveryWorker({ pool: db.pool, listener, bus: liveBus, logger, config, notifyInTransaction: db.notifyInTransaction });
  const incidentEvents = new IncidentEvents(db.pool, liveBus, logger);
  await incidentEvents.start();
  // Runners waiting for work here are woken by run changes heard on the bus, whichever instance made them.
  const claimWaiters = new ClaimWaiters({ capacity: config.claimWaitMaxRunners || waitersForHeap(getHeapStatistics().heap_size_limit) });
  const claimWakeups = new ClaimWakeups(db.pool, claimWaiters, runEvents, logger, { sweepMs: config.claimSweepMs });
  claimWakeups.start();
  const runnerPresence = new RunnerPresence(db.pool, logger, {
    windowSeconds: config.runnerOnlineWindowSeconds,
    sweepSeconds: config.runnerPresenceSweepSeconds,
  });
  runnerPresence.start();
  const flagEvents = new FlagEvents(db.pool, liveBus, logger);
  await flagEvents.start();
  const scheduler = config.scheduler
    ? new Scheduler({
        databaseUrl,
        pool: db.pool,
        logger,
        clock: options.schedulerClock,
        graceSeconds: config.schedulerGraceSeconds,
        retryBackoffSeconds: config.retryBackoffSeconds,
        notifyInTransaction: db.notifyInTransaction,
        runEvents,
        incidentEvents,
        periodicJobs: [
          alertPassJob({ pool: db.pool, logger, intervalSeconds: config.alertPassIntervalSeconds, incidentEvents }),
          // Whatever an instance left behind (it died holding a claim) is sent by the next sweep.
          { queue: DELIVERY_SWEEP_QUEUE, intervalSeconds: 60, run: () => deliveries.sweep() },
        ],
      })
    : undefined;
  await scheduler?.start();
  await deliveries.start();
  const logWriter = new RunLogWriter(db);
  const knownRunnerKeys = { cache: new RunnerKeyCache(listener), sightings: new RunnerSightings(db.pool, logger, { intervalMs: 1000 }) };
  const metrics = createMetrics({
    pool: db.pool,
    listener,
    logger,
    jobLogsSubscribers: () => logHub.subscriberCount,
    runUpdatedSubscribers: () => runEvents.subscriberCount,
    runnerKeys: () => knownRunnerKeys.cache.answered,
    runnerPresence: () => ({ subscribers: runnerPresence.subscriberCount, readings: runnerPresence.readings }),
    logBatchesFannedOut: () => logHub.fannedOut,
    logBatchesWaiting: () => logWriter.waiting,
    claimWaiters: () => ({ waiting: claimWaiters.size, woken: claimWaiters.woken, turnedAway: claimWaiters.turnedAway }),
  });
  const openConnections = new OpenConnections(db, adminToken, listener, logger);
  const retention = new LogRetention(db.pool, logger, { days: config.logRetentionDays, intervalMs: config.logRetentionIntervalSeconds * 1000 });
  const logSearch = openLogSearchPool(databaseUrl, { size: config.logSearchPoolSize, timeoutSeconds: config.logSearchTimeoutSeconds }, logger);
  await metrics.start();
  await openConnections.start();
  await knownRunnerKeys.cache.start();
  knownRunnerKeys.sightings.start();
  retention.start();
  const app = buildApp({ metrics, openConnections, knownRunnerKeys, config, db, logger, logHub, logWriter, runEvents, incidentEvents, runnerPresence, claimWaiters, flagEvents, logSearch, scheduler, adminToken });
  const port = await app.start(config.port);
  logger.info({ port }, 'Scrapedeck API listening');
  return {
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    /** Graceful: stop accepting, let in-flight requests finish, close subscriptions with 1001, then release the database. */
    async stop() {
      // Runners waiting for work are answered null at once (their subscriptions complete), so that they
      // wait on another instance; the answers are let out before the websockets close.
      claimWaiters.close();
      claimWakeups.stop();
      await new Promise((resolve) => setImmediate(resolve));
      // Requests stop being taken at once; a scheduler pass in progress finishes meanwhile, before the database closes.
      await Promise.all([app.stop(), scheduler?.stop(), deliveries.stop()]);
      // Ends the subscription generators of closed sockets, which wait for their next event otherwise.
      await logHub.stop();
      await runEvents.stop();
      await incidentEvents.stop();
      runnerPresence.stop();
      await flagEvents.stop();
      await liveBus.close();
      await retention.stop();
      await metrics.stop();
      await openConnections.stop();
      await knownRunnerKeys.cache.stop();
      await knownRunnerKeys.sightings.stop();
      await listener.close();
      await logSearch.close();
      await db.close();
      logger.info('Scrapedeck API stopped');
    },
  };
}
