/**
 * The scheduler pass driven by an injected "now": due ticks, time zones, overlap, missed-run policy
 * and the exactly-once rule with two instances passing at once.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { tolerateConnectionLoss } from '../helpers/connectionLoss.ts';
import { insertRun } from '../helpers/runs.ts';
import { finishActiveRuns, minuteFromNow, passAt, runsOf, setSchedule, ticksOf } from '../helpers/scheduler.ts';
import { seedScraper } from '../helpers/seed.ts';

const db = useTestDatabase();

const at = (iso: string) => new Date(iso);

describe('due ticks', () => {
  it('queues one SCHEDULER run per fire time, however often passes reach it', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '* * * * *' });
    const fire = minuteFromNow(2);
    await setSchedule(db.pool, scraperId, { scheduledThrough: new Date(fire.getTime() - 1_000) });

    const first = await passAt(db.pool, new Date(fire.getTime() + 5_000));
    await passAt(db.pool, new Date(fire.getTime() + 20_000));
    await passAt(db.pool, new Date(fire.getTime() + 55_000));

    expect(first.ticks.filter((t) => t.scraperId === scraperId)).toHaveLength(1);
    const runs = await runsOf(db.pool, scraperId);
    expect(runs).toMatchObject([{ status: 'QUEUED', triggeredBy: 'SCHEDULER', retryCount: 0 }]);
    expect(await ticksOf(db.pool, scraperId)).toEqual([{ fireAt: fire, outcome: 'QUEUED', caughtUp: false, runId: runs[0]!.id }]);
  });

  it('does nothing before the fire time and for scrapers without cron, paused or disabled', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '30 4 * * *' });
    const { scraperId: manual } = await seedScraper(db.pool, { cron: null });
    const { scraperId: disabled } = await seedScraper(db.pool, { cron: '* * * * *', enabled: false });
    const { scraperId: paused } = await seedScraper(db.pool, { cron: '* * * * *' });
    await db.pool.query(`UPDATE scraper SET paused = true WHERE id = $1`, [paused]);
    await setSchedule(db.pool, scraperId, { scheduledThrough: at('2030-05-01T04:00:00Z') });

    await passAt(db.pool, at('2030-05-01T04:29:59Z'));
    expect(await runsOf(db.pool, scraperId)).toEqual([]);
    await passAt(db.pool, at('2030-05-01T04:30:01Z'));
    expect(await runsOf(db.pool, scraperId)).toHaveLength(1);

    for (const id of [manual, disabled, paused]) {
      expect(await runsOf(db.pool, id)).toEqual([]);
      expect(await ticksOf(db.pool, id)).toEqual([]);
    }
  });

  it("reads the cron expression in the scraper's time zone, daylight saving time included", async () => {
    const { scraperId: kolkata } = await seedScraper(db.pool, { cron: '30 9 * * *' });
    await setSchedule(db.pool, kolkata, { timezone: 'Asia/Kolkata', scheduledThrough: at('2030-01-10T00:00:00Z') });
    const { scraperId: berlin } = await seedScraper(db.pool, { cron: '0 6 * * *' });
    await setSchedule(db.pool, berlin, { timezone: 'Europe/Berlin', scheduledThrough: at('2030-07-01T00:00:00Z') });

    // 09:30 in Kolkata (UTC+5:30) is 04:00 UTC; 06:00 in Berlin in summer (UTC+2) is 04:00 UTC.
    await passAt(db.pool, at('2030-01-10T03:59:00Z'));
    await passAt(db.pool, at('2030-01-10T04:00:20Z'));
    expect((await ticksOf(db.pool, kolkata)).map((t) => t.fireAt)).toEqual([at('2030-01-10T04:00:00Z')]);
    await setSchedule(db.pool, kolkata, { cron: null });

    await passAt(db.pool, at('2030-07-01T03:59:00Z'));
    await passAt(db.pool, at('2030-07-01T04:00:20Z'));
    expect((await ticksOf(db.pool, berlin)).map((t) => t.fireAt)).toEqual([at('2030-07-01T04:00:00Z')]);
  });
});

describe('tick history', () => {
  it('keeps 30 days of ticks per scraper, the missed ones included', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '0 12 * * *' });
    await setSchedule(db.pool, scraperId, { scheduledThrough: at('2030-08-01T00:00:00Z') });

    await passAt(db.pool, at('2030-08-01T12:00:05Z'));
    await finishActiveRuns(db.pool, scraperId);
    // Nothing scheduled from Aug 2 to Aug 30: those 29 fire times were missed.
    await passAt(db.pool, at('2030-08-31T12:00:05Z'));
    expect(await ticksOf(db.pool, scraperId)).toHaveLength(31);
    await finishActiveRuns(db.pool, scraperId);
    await passAt(db.pool, at('2030-09-01T12:00:05Z'));

    const ticks = await ticksOf(db.pool, scraperId);
    expect(ticks[0]!.fireAt).toEqual(at('2030-08-02T12:00:00Z'));
    expect(ticks.at(-1)!.fireAt).toEqual(at('2030-09-01T12:00:00Z'));
    expect(ticks).toHaveLength(31);
  });
});

describe('overlap', () => {
  it('records a tick that finds a queued or running run as skipped, and queues again once it ended', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '*/5 * * * *' });
    await setSchedule(db.pool, scraperId, { scheduledThrough: at('2030-02-01T10:00:00Z') });
    const running = await insertRun(db.pool, { scraperId, status: 'RUNNING' });

    await passAt(db.pool, at('2030-02-01T10:05:03Z'));
    expect(await runsOf(db.pool, scraperId)).toMatchObject([{ id: running, status: 'RUNNING' }]);

    await finishActiveRuns(db.pool, scraperId);
    await passAt(db.pool, at('2030-02-01T10:10:03Z'));
    const queued = await insertRun(db.pool, { scraperId, status: 'QUEUED' });
    await db.pool.query(`UPDATE run SET status = 'SUCCESS' WHERE scraper_id = $1 AND triggered_by = 'SCHEDULER'`, [scraperId]);
    await passAt(db.pool, at('2030-02-01T10:15:03Z'));

    const ticks = await ticksOf(db.pool, scraperId);
    expect(ticks.map((t) => [t.fireAt.toISOString(), t.outcome])).toEqual([
      ['2030-02-01T10:05:00.000Z', 'SKIPPED_OVERLAP'],
      ['2030-02-01T10:10:00.000Z', 'QUEUED'],
      ['2030-02-01T10:15:00.000Z', 'SKIPPED_OVERLAP'],
    ]);
    expect(ticks[0]!.runId).toBeNull();
    const runs = await runsOf(db.pool, scraperId);
    expect(runs.map((r) => r.id)).toEqual([running, ticks[1]!.runId, queued]);
  });
});

describe('missed-run policy after downtime', () => {
  it('RUN_ONCE (the default) queues one run for the latest missed fire time, however many were missed', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '0 * * * *' });
    const [{ policy }] = (await db.pool.query(`SELECT missed_run_policy AS policy FROM scraper WHERE id = $1`, [scraperId])).rows;
    expect(policy).toBe('RUN_ONCE');
    await setSchedule(db.pool, scraperId, { scheduledThrough: at('2030-03-04T10:00:30Z') });

    // No scheduler ran from 10:00:30 to 13:20: 11:00, 12:00 and 13:00 were missed.
    await passAt(db.pool, at('2030-03-04T13:20:00Z'));
    await passAt(db.pool, at('2030-03-04T13:21:00Z'));

    // Each missed fire time is on record; the latest one runs.
    expect(await ticksOf(db.pool, scraperId)).toMatchObject([
      { fireAt: at('2030-03-04T11:00:00Z'), outcome: 'SKIPPED_MISSED', caughtUp: true, runId: null },
      { fireAt: at('2030-03-04T12:00:00Z'), outcome: 'SKIPPED_MISSED', caughtUp: true, runId: null },
      { fireAt: at('2030-03-04T13:00:00Z'), outcome: 'QUEUED', caughtUp: true },
    ]);
    expect(await runsOf(db.pool, scraperId)).toMatchObject([{ status: 'QUEUED', triggeredBy: 'SCHEDULER' }]);
  });

  it('records at most the newest 100 fire times of a long gap, and runs the latest once', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '* * * * *' });
    await setSchedule(db.pool, scraperId, { scheduledThrough: at('2030-04-01T00:00:00Z') });
    // Three days down: 4,320 fire times passed.
    await passAt(db.pool, at('2030-04-04T00:00:20Z'));
    const ticks = await ticksOf(db.pool, scraperId);
    expect(ticks).toHaveLength(101);
    expect(ticks.slice(0, 100).every((t) => t.outcome === 'SKIPPED_MISSED')).toBe(true);
    // Caught up: passed longer than the grace period ago (23:58 and 23:59 are within it).
    expect(ticks.slice(0, 100).filter((t) => t.caughtUp)).toHaveLength(98);
    expect(ticks[0]!.fireAt).toEqual(at('2030-04-03T22:20:00Z'));
    expect(ticks.at(-1)).toMatchObject({ fireAt: at('2030-04-04T00:00:00Z'), outcome: 'QUEUED' });
  });

  it('records a fire time a late pass went past as missed, though the scheduler was up', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '* * * * *' });
    await setSchedule(db.pool, scraperId, { scheduledThrough: at('2030-04-10T08:00:00Z') });
    // The pass of 08:01 came only at 08:02:10 (within the grace period).
    await passAt(db.pool, at('2030-04-10T08:02:10Z'));
    expect(await ticksOf(db.pool, scraperId)).toMatchObject([
      { fireAt: at('2030-04-10T08:01:00Z'), outcome: 'SKIPPED_MISSED', caughtUp: false },
      { fireAt: at('2030-04-10T08:02:00Z'), outcome: 'QUEUED', caughtUp: false },
    ]);
  });

  it('SKIP records the latest missed fire time as skipped and runs again at the next one', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '0 * * * *' });
    await setSchedule(db.pool, scraperId, { missedRunPolicy: 'SKIP', scheduledThrough: at('2030-03-04T10:00:30Z') });

    await passAt(db.pool, at('2030-03-04T13:20:00Z'));
    expect(await runsOf(db.pool, scraperId)).toEqual([]);
    await passAt(db.pool, at('2030-03-04T14:00:10Z'));

    expect(await ticksOf(db.pool, scraperId)).toMatchObject([
      { fireAt: at('2030-03-04T11:00:00Z'), outcome: 'SKIPPED_MISSED', caughtUp: true, runId: null },
      { fireAt: at('2030-03-04T12:00:00Z'), outcome: 'SKIPPED_MISSED', caughtUp: true, runId: null },
      { fireAt: at('2030-03-04T13:00:00Z'), outcome: 'SKIPPED_MISSED', caughtUp: true, runId: null },
      { fireAt: at('2030-03-04T14:00:00Z'), outcome: 'QUEUED', caughtUp: false },
    ]);
    expect(await runsOf(db.pool, scraperId)).toHaveLength(1);
  });

  it('a fire time reached late but within the grace period is not missed, whatever the policy', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '0 * * * *' });
    await setSchedule(db.pool, scraperId, { missedRunPolicy: 'SKIP', scheduledThrough: at('2030-03-04T10:00:30Z') });

    await passAt(db.pool, at('2030-03-04T11:02:00Z'));

    expect(await ticksOf(db.pool, scraperId)).toMatchObject([{ fireAt: at('2030-03-04T11:00:00Z'), outcome: 'QUEUED', caughtUp: false }]);
  });
});

describe('several instances', () => {
  it('two instances passing at the same moments create exactly one run per scraper and fire time', async () => {
    const instanceA = tolerateConnectionLoss(new pg.Pool({ connectionString: db.url, max: 4 }));
    const instanceB = tolerateConnectionLoss(new pg.Pool({ connectionString: db.url, max: 4 }));
    try {
      const scrapers = await Promise.all(Array.from({ length: 6 }, () => seedScraper(db.pool, { cron: '* * * * *' })));
      const ids = scrapers.map((s) => s.scraperId);
      for (const id of ids) await setSchedule(db.pool, id, { scheduledThrough: at('2030-06-01T08:00:00Z') });

      for (let minute = 1; minute <= 4; minute++) {
        const fire = new Date(Date.UTC(2030, 5, 1, 8, minute));
        const moment = (seconds: number) => new Date(fire.getTime() + seconds * 1000);
        await Promise.all([
          passAt(instanceA, moment(1)),
          passAt(instanceB, moment(1)),
          passAt(instanceA, moment(2)),
          passAt(instanceB, moment(30)),
        ]);
        for (const id of ids) await finishActiveRuns(db.pool, id);
      }

      for (const id of ids) {
        const ticks = await ticksOf(db.pool, id);
        expect(ticks.map((t) => [t.fireAt.getUTCMinutes(), t.outcome])).toEqual([
          [1, 'QUEUED'],
          [2, 'QUEUED'],
          [3, 'QUEUED'],
          [4, 'QUEUED'],
        ]);
        const runs = await runsOf(db.pool, id);
        expect(runs).toHaveLength(4);
        expect(runs.map((r) => r.id).sort()).toEqual(ticks.map((t) => t.runId).sort());
      }
    } finally {
      await instanceA.end();
      await instanceB.end();
    }
  });
});
