/**
 * The scheduler through the real job engine: pg-boss's own schedule fires the tick job, with
 * pg-boss's TestClock standing in for a minute-granular wall clock. Two instances (schedulers,
 * then whole servers) share one database and one clock; each minute's tick runs once and queues one run.
 */
import pg from 'pg';
import { TestClock } from 'pg-boss';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import { JOB_ENGINE_SCHEMA, Scheduler, TICK_QUEUE } from '../../server/scheduler/scheduler.ts';
import { createTestDatabase, type TestDatabase, useTestDatabase } from '../helpers/database.ts';
import { tolerateConnectionLoss } from '../helpers/connectionLoss.ts';
import { finishActiveRuns, minuteFromNow, PASS_OPTIONS, runsOf, setSchedule, ticksOf } from '../helpers/scheduler.ts';
import { seedScraper } from '../helpers/seed.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const db = useTestDatabase();
const pools: pg.Pool[] = [];

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
});

function instance(clock: TestClock): Scheduler {
  // Each instance has its own pool, as separate server processes would.
  const pool = tolerateConnectionLoss(new pg.Pool({ connectionString: db.url, max: 3 }));
  pools.push(pool);
  return new Scheduler({ databaseUrl: db.url, pool, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), clock, ...PASS_OPTIONS });
}

/**
 * Moves the engine's clock in steps of 5 s (pg-boss's polls run on it) until the condition holds.
 * TestClock.tick waits for pg-boss's statements but not for job handlers, so each step gives the
 * handlers a moment of real time before the clock moves on.
 */
async function advanceUntil(clock: TestClock, condition: () => Promise<boolean>, what: string, maxSeconds = 120): Promise<void> {
  for (let elapsed = 0; elapsed <= maxSeconds; elapsed += 5) {
    const settleBy = Date.now() + 150;
    do {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    } while (Date.now() < settleBy);
    await clock.tick(5000);
  }
  throw new Error(`engine clock advanced ${maxSeconds} s without ${what}`);
}

const tickJobs = async () =>
  (await db.pool.query(`SELECT count(*)::int AS n FROM ${JOB_ENGINE_SCHEMA}.job WHERE name = $1`, [TICK_QUEUE])).rows[0].n as number;

describe('through pg-boss', () => {
  const started: Scheduler[] = [];
  // Stopping twice is harmless, so whatever a test left running is stopped here.
  afterEach(async () => {
    await Promise.all(started.splice(0).map((scheduler) => scheduler.stop()));
  });

  it('two instances fire each minute once; after a restart and downtime the missed-run policy applies once', async () => {
    const { scraperId: everyMinute } = await seedScraper(db.pool, { cron: '* * * * *' });
    const { scraperId: hourly } = await seedScraper(db.pool, { cron: '0 * * * *' });
    const first = minuteFromNow(2);
    // Scheduled through the minute before the clock starts: that minute is not a missed one.
    await setSchedule(db.pool, everyMinute, { scheduledThrough: new Date(first.getTime() - 1_000) });
    const clock = new TestClock(new Date(first.getTime() + 10_000));
    const a = instance(clock);
    const b = instance(clock);
    started.push(a, b);
    // One after the other: TestClock.attach replaces its clock table, which two attaching at once would race on.
    await a.start();
    await b.start();
    expect(a.running && b.running).toBe(true);

    await advanceUntil(clock, async () => (await runsOf(db.pool, everyMinute)).length === 1, 'the first run');
    await finishActiveRuns(db.pool, everyMinute);
    await advanceUntil(clock, async () => (await runsOf(db.pool, everyMinute)).length === 2, 'the second run');

    const second = new Date(first.getTime() + 60_000);
    expect(await ticksOf(db.pool, everyMinute)).toMatchObject([
      { fireAt: first, outcome: 'QUEUED' },
      { fireAt: second, outcome: 'QUEUED' },
    ]);
    expect((await runsOf(db.pool, everyMinute)).every((r) => r.triggeredBy === 'SCHEDULER')).toBe(true);
    // One tick job per minute for the deployment, not one per instance.
    expect(await tickJobs()).toBe(2);

    // Both instances go down for three hours; one comes back.
    await Promise.all([a.stop(), b.stop()]);
    expect(a.running || b.running).toBe(false);
    await finishActiveRuns(db.pool, everyMinute);
    await finishActiveRuns(db.pool, hourly);
    const hourlyRunsBefore = (await runsOf(db.pool, hourly)).length;
    // Back at ten past an hour, whatever minute the test started at: the next hourly fire is then
    // 50 minutes away and cannot overtake the catch-up of the one missed at the hour.
    const HOUR = 3600_000;
    await clock.setTime(new Date(Math.floor((second.getTime() + 3 * HOUR) / HOUR) * HOUR + 10 * 60_000 + 30_000));
    const c = instance(clock);
    started.push(c);
    await c.start();
    await advanceUntil(clock, async () => (await runsOf(db.pool, hourly)).length === hourlyRunsBefore + 1, 'the caught-up hourly run');
    const caughtUp = (await ticksOf(db.pool, hourly)).at(-1)!;
    expect(caughtUp).toMatchObject({ outcome: 'QUEUED', caughtUp: true });
    expect(caughtUp.fireAt.getUTCMinutes()).toBe(0);
    // The minutes before the downtime never run again.
    const fireTimes = (await ticksOf(db.pool, everyMinute)).map((t) => t.fireAt.getTime());
    expect(new Set(fireTimes).size).toBe(fireTimes.length);
    expect(fireTimes.filter((t) => t <= second.getTime())).toEqual([first.getTime(), second.getTime()]);
  });
});

describe('two server instances', () => {
  let own: TestDatabase;

  beforeAll(async () => {
    // A database of its own: the engine's clock above has run hours ahead, and pg-boss keeps its last pass time.
    own = await createTestDatabase();
  });

  afterAll(async () => {
    await own?.drop();
  });

  it('each report the scheduler running, queue one run per fire time between them, and stop it on shutdown', async () => {
    const { scraperId } = await seedScraper(own.pool, { cron: '* * * * *' });
    const first = minuteFromNow(2);
    await setSchedule(own.pool, scraperId, { scheduledThrough: new Date(first.getTime() - 1_000) });
    const clock = new TestClock(new Date(first.getTime() + 10_000));
    const servers: TestServer[] = [];
    try {
      servers.push(await startTestServer(own.url, { scheduler: true }, { schedulerClock: clock }));
      servers.push(await startTestServer(own.url, { scheduler: true }, { schedulerClock: clock }));
      for (const server of servers) {
        const { schedulerStatus } = await server.admin.data(`query { schedulerStatus { running } }`);
        expect(schedulerStatus.running).toBe(true);
      }

      await advanceUntil(clock, async () => (await runsOf(own.pool, scraperId)).length === 1, 'the first run');
      await finishActiveRuns(own.pool, scraperId);
      await advanceUntil(clock, async () => (await runsOf(own.pool, scraperId)).length === 2, 'the second run');

      expect((await ticksOf(own.pool, scraperId)).map((t) => [t.fireAt, t.outcome])).toEqual([
        [first, 'QUEUED'],
        [new Date(first.getTime() + 60_000), 'QUEUED'],
      ]);
      const { schedulerStatus } = await servers[1]!.admin.data(`query { schedulerStatus { scrapers { lastTick { fireAt } } } }`);
      expect(schedulerStatus.scrapers[0].lastTick.fireAt).toBe(new Date(first.getTime() + 60_000).toISOString());
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
    // pg-boss has closed its pools; the server side of each connection goes away a moment later.
    await waitUntil(async () => {
      const { rows } = await own.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'scrapedeck-scheduler'`,
      );
      return rows[0].n === 0;
    }, 'the scheduler connections to close', 10_000);
  });
});
