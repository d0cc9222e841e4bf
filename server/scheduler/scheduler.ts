/**
 * The scheduler of one server instance, on pg-boss: one tick job per minute for the whole
 * deployment, which any instance's worker takes to run a scheduler pass. Every instance sends the
 * tick at the start of each minute, from a timer set to that instant (cron fire times are on whole
 * minutes); all of a minute's ticks share one pg-boss singleton slot, so several instances make one
 * job, and the sending instance's worker takes it at once, so a run is queued within about a second
 * of its fire time. A pg-boss schedule sends the same tick as
 * well, a backstop should an instance's timer ever not fire. pg-boss keeps its schedule and jobs in
 * its own schema of the same database, so they survive restarts.
 */
import { PgBoss, systemClock, type Clock } from 'pg-boss';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { RunChange } from '../runs/sql/notifyRunUpdated.ts';
import { startPeriodicJob, type PeriodicJob } from './periodicJob.ts';
import { runSchedulerPass, type PassOptions, type PassResult } from './runSchedulerPass.ts';

/** pg-boss installs and migrates its tables here on start. */
export const JOB_ENGINE_SCHEMA = 'pgboss';
export const TICK_QUEUE = 'scheduler-tick';
/** pg-boss reads a schedule at minute granularity; a scraper's own cron is evaluated by the pass. */
const TICK_CRON = '* * * * *';
/** A running pass proves its instance alive this often; pg-boss's minimum. */
const TICK_HEARTBEAT_SECONDS = 10;
/** How soon after a whole minute the tick is sent: a pass then finds that minute's fire times due. */
const TICK_OFFSET_MS = 200;
/**
 * How often a worker looks for a tick job it was not told of (the backstop schedule's, another
 * instance's). The minute's own tick wakes this instance's worker at once; polling at pg-boss's
 * minimum instead (0.5 s) measurably slowed live log delivery under load.
 */
const TICK_POLLING_SECONDS = 2;
/**
 * Every tick of a minute, whoever sends it (each instance's timer, the backstop schedule), falls in
 * one pg-boss singleton slot, so a deployment makes one tick job a minute even when a worker has
 * already taken the first one before another instance's send arrives.
 */
const MINUTE_TICK = { singletonKey: 'minute', singletonSeconds: 60 } as const;

export type SchedulerOptions = PassOptions & {
  databaseUrl: string;
  /** The instance's pool, for the pass's own SQL; pg-boss opens a small pool of its own. */
  pool: pg.Pool;
  logger: Logger;
  /** Time for pg-boss and for the passes; tests hand in pg-boss's TestClock. */
  clock?: Clock;
  /** Where the runs a pass changed are announced after commit (a no-op when they NOTIFY in the transaction). */
  runEvents?: { announce(changes: RunChange[]): void };
  /** Where the incidents a pass changed (runs it took as lost) are announced after commit. */
  incidentEvents?: { announce(incidentIds: number[]): void };
  /** Jobs run every few seconds or minutes on one instance at a time (the alert pass). */
  periodicJobs?: PeriodicJob[];
};

export class Scheduler {
  readonly clock: Clock;
  #boss: PgBoss | null = null;
  #minuteTimer: ReturnType<Clock['setTimeout']> | null = null;
  #workerId: string | null = null;
  #periodic: Array<{ stop(): void }> = [];

  private readonly options: SchedulerOptions;

  constructor(options: SchedulerOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  /** Whether this instance takes part in scheduling. */
  get running(): boolean {
    return this.#boss !== null;
  }

  now(): Date {
    return new Date(this.clock.now());
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    const boss = new PgBoss({
      connectionString: this.options.databaseUrl,
      schema: JOB_ENGINE_SCHEMA,
      clock: this.clock,
      max: 3,
      application_name: 'scrapedeck-scheduler',
      // How often pg-boss looks for ticks whose instance died (see heartbeatSeconds below).
      monitorIntervalSeconds: TICK_HEARTBEAT_SECONDS,
      superviseIntervalSeconds: TICK_HEARTBEAT_SECONDS,
    });
    boss.on('error', (error) => logger.error({ err: error }, 'job engine error'));
    boss.on('warning', (warning) => logger.warn({ warning }, 'job engine warning'));
    await boss.start();
    try {
      // stately: at most one tick waiting and one running, so a slow pass never piles up passes behind it.
      // No retries: the next minute's pass does whatever a failed one left undone.
      // A tick held by an instance that was killed would fill the one running slot until it expired,
      // stalling every instance's schedule; without its heartbeat it is failed within seconds instead.
      const queueOptions = { retryLimit: 0, expireInSeconds: 300, heartbeatSeconds: TICK_HEARTBEAT_SECONDS };
      await boss.createQueue(TICK_QUEUE, { policy: 'stately', ...queueOptions });
      // createQueue leaves an existing queue as it was; this brings one made by an older version up to date.
      await boss.updateQueue(TICK_QUEUE, queueOptions);
      // Every instance upserts the same schedule row; 'once' sends one tick after a gap in which no instance ran.
      await boss.schedule(TICK_QUEUE, TICK_CRON, null, { tz: 'UTC', missed: 'once', ...MINUTE_TICK });
      this.#workerId = await boss.work(TICK_QUEUE, { pollingIntervalSeconds: TICK_POLLING_SECONDS }, async () => {
        try {
          await this.runPass();
        } catch (error) {
          // Rethrown so that pg-boss records the job as failed; the next minute's pass starts over.
          logger.error({ err: error }, 'scheduler pass failed');
          throw error;
        }
      });
      for (const job of this.options.periodicJobs ?? []) this.#periodic.push(await startPeriodicJob(boss, this.clock, job, logger));
    } catch (error) {
      for (const job of this.#periodic.splice(0)) job.stop();
      await boss.stop({ graceful: false });
      throw error;
    }
    this.#boss = boss;
    this.#armMinuteTimer();
    logger.info('scheduler started');
  }

  /** Sends the tick at the start of the next minute, then sets itself for the one after. */
  #armMinuteTimer(): void {
    const now = this.clock.now();
    const at = (Math.floor(now / 60_000) + 1) * 60_000 + TICK_OFFSET_MS;
    this.#minuteTimer = this.clock.setTimeout(() => {
      const boss = this.#boss;
      if (!boss) return;
      this.#armMinuteTimer();
      // A tick of this minute already sent (by another instance, or the backstop) makes this send a no-op.
      boss
        .send(TICK_QUEUE, null, MINUTE_TICK)
        // Sent (or one was waiting already): this instance's worker takes it now rather than at its next poll.
        .then(() => this.#workerId && boss.notifyWorker(this.#workerId))
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not send the minute tick; the backstop schedule will'));
    }, at - now);
  }

  /** One pass at the clock's time (or at `now`); the tick job calls it, and so may tests. */
  async runPass(now: Date = this.now()): Promise<PassResult> {
    const result = await runSchedulerPass(this.options.pool, this.options.logger, now, this.options);
    this.options.runEvents?.announce(result.changed);
    this.options.incidentEvents?.announce(result.incidents);
    return result;
  }

  /** Waits for a pass in progress to finish, then lets go of pg-boss's connections. */
  async stop(): Promise<void> {
    const boss = this.#boss;
    if (!boss) return;
    this.#boss = null;
    if (this.#minuteTimer) this.clock.clearTimeout(this.#minuteTimer);
    for (const job of this.#periodic.splice(0)) job.stop();
    await boss.stop({ graceful: true, timeout: 10_000 });
    this.options.logger.info('scheduler stopped');
  }
}
