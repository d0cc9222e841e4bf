/**
 * The schedule as admins change it through the API: pause and resume, cron changes without a
 * restart, the schedulerStatus query, and ticks that survive a server restart.
 */
import { describe, expect, it } from 'vitest';
import { finishActiveRuns, minuteFromNow, passAt, runsOf, setSchedule, ticksOf } from '../helpers/scheduler.ts';
import { seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer, type TestServer } from '../helpers/server.ts';

const { db, server, restartServer } = useTestServer();

const PAUSE = /* GraphQL */ `mutation($id: ID!) { pauseScraper(scraperId: $id) { __typename } }`;
const RESUME = /* GraphQL */ `mutation($id: ID!) { resumeScraper(scraperId: $id) { __typename } }`;
const UPDATE = /* GraphQL */ `
  mutation($id: ID!, $input: UpdateScraperInput!) { updateScraper(id: $id, input: $input) { __typename ... on ValidationError { issues { path } } } }`;
const STATUS = /* GraphQL */ `
  query {
    schedulerStatus {
      running
      scrapers {
        scraper { id slug }
        cron timezone paused enabled missedRunPolicy maxRetries nextFireTimes
        lastTick { fireAt outcome caughtUp run { id status triggeredBy } }
        missedCount
        missedTicks { fireAt outcome caughtUp run { id } }
      }
    }
  }`;

const plus = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
const nextMinute = (date: Date) => new Date((Math.floor(date.getTime() / 60_000) + 1) * 60_000);

async function scheduledThrough(scraperId: number): Promise<Date> {
  const { rows } = await db.pool.query(`SELECT scheduled_through AS at FROM scraper WHERE id = $1`, [scraperId]);
  return rows[0].at;
}

async function scheduleOf(client: TestServer['admin'], scraperId: number) {
  const { schedulerStatus } = await client.data(STATUS);
  return { running: schedulerStatus.running, ...schedulerStatus.scrapers.find((s: any) => s.scraper.id === String(scraperId)) };
}

describe('pause and resume', () => {
  it('pausing stops the schedule; resuming restarts it without running the fire times that passed while paused', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '* * * * *' });
    await setSchedule(db.pool, scraperId, { scheduledThrough: minuteFromNow(-6) });

    expect((await server.admin.data(PAUSE, { id: String(scraperId) })).pauseScraper.__typename).toBe('MutationPauseScraperSuccess');
    await passAt(db.pool, minuteFromNow(-4, 5));
    await passAt(db.pool, minuteFromNow(-2, 5));
    expect(await ticksOf(db.pool, scraperId)).toEqual([]);
    expect(await scheduleOf(server.admin, scraperId)).toMatchObject({ paused: true, nextFireTimes: [] });

    expect((await server.admin.data(RESUME, { id: String(scraperId) })).resumeScraper.__typename).toBe('MutationResumeScraperSuccess');
    const resumedAt = await scheduledThrough(scraperId);
    await passAt(db.pool, resumedAt);
    expect(await ticksOf(db.pool, scraperId)).toEqual([]);

    const fire = nextMinute(resumedAt);
    await passAt(db.pool, plus(fire, 5));
    expect(await ticksOf(db.pool, scraperId)).toMatchObject([{ fireAt: fire, outcome: 'QUEUED', caughtUp: false }]);
    expect(await scheduleOf(server.admin, scraperId)).toMatchObject({ paused: false, lastTick: { outcome: 'QUEUED' } });
  });
});

describe('cron change', () => {
  it('takes effect at the next pass without a restart and never runs past fire times of the new expression', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '0 0 1 1 *' });
    await setSchedule(db.pool, scraperId, { scheduledThrough: minuteFromNow(-10) });

    const changed = await server.admin.data(UPDATE, { id: String(scraperId), input: { cron: '* * * * *' } });
    expect(changed.updateScraper.__typename).toBe('MutationUpdateScraperSuccess');
    const changedAt = await scheduledThrough(scraperId);
    // Every minute since -10 is a fire time of the new expression, and none of them runs.
    await passAt(db.pool, changedAt);
    expect(await ticksOf(db.pool, scraperId)).toEqual([]);

    const fire = nextMinute(changedAt);
    await passAt(db.pool, plus(fire, 5));
    expect(await ticksOf(db.pool, scraperId)).toMatchObject([{ fireAt: fire, outcome: 'QUEUED' }]);

    // Back to a daily expression: the every-minute fire times stop at once.
    await finishActiveRuns(db.pool, scraperId);
    await server.admin.data(UPDATE, { id: String(scraperId), input: { cron: '30 4 * * *', timezone: 'UTC' } });
    const later = await scheduledThrough(scraperId);
    await passAt(db.pool, plus(nextMinute(later), 5));
    await passAt(db.pool, plus(nextMinute(later), 65));
    expect(await ticksOf(db.pool, scraperId)).toHaveLength(1);
    const { nextFireTimes } = await scheduleOf(server.admin, scraperId);
    expect(nextFireTimes).toHaveLength(3);
    for (const time of nextFireTimes) expect(time).toMatch(/T04:30:00\.000Z$/);
  });

  it('an update that leaves the schedule as it was keeps the fire times already due', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '* * * * *' });
    const before = minuteFromNow(-3);
    await setSchedule(db.pool, scraperId, { scheduledThrough: before });

    await server.admin.data(UPDATE, { id: String(scraperId), input: { name: 'Renamed', cron: '* * * * *' } });

    expect(await scheduledThrough(scraperId)).toEqual(before);
  });
});

describe('schedulerStatus', () => {
  it('shows each scraper with its schedule, next 3 fire times and last tick, to viewers', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '*/15 * * * *' });
    await setSchedule(db.pool, scraperId, { timezone: 'Asia/Kolkata', missedRunPolicy: 'SKIP', scheduledThrough: new Date('2030-04-01T06:00:00Z') });
    const { scraperId: manual } = await seedScraper(db.pool, { cron: null });
    await passAt(db.pool, new Date('2030-04-01T06:15:04Z'));
    const { token } = await seedToken(db.pool, 'VIEWER');

    const viewer = server.client({ token });
    const scheduled = await scheduleOf(viewer, scraperId);
    const runId = (await runsOf(db.pool, scraperId))[0]!.id;
    expect(scheduled).toMatchObject({
      running: false,
      cron: '*/15 * * * *',
      timezone: 'Asia/Kolkata',
      paused: false,
      enabled: true,
      missedRunPolicy: 'SKIP',
      lastTick: { fireAt: '2030-04-01T06:15:00.000Z', outcome: 'QUEUED', caughtUp: false, run: { id: String(runId), status: 'QUEUED', triggeredBy: 'SCHEDULER' } },
    });
    const times = scheduled.nextFireTimes.map((t: string) => new Date(t).getTime());
    expect(times).toHaveLength(3);
    expect(times[0]).toBeGreaterThan(Date.now());
    expect(times[1] - times[0]).toBe(15 * 60_000);
    expect(times[2] - times[1]).toBe(15 * 60_000);
    expect(scheduled).toMatchObject({ missedCount: 0, missedTicks: [] });
    expect(await scheduleOf(viewer, manual)).toMatchObject({ cron: null, nextFireTimes: [], lastTick: null, missedCount: 0, missedTicks: [] });

    const anonymous = await server.client().request(STATUS);
    expect(anonymous.data).toBeNull();
    expect(anonymous.errors?.[0]?.message).toMatch(/not authorized/i);
  });
});

describe('missed fire times', () => {
  it('shows how many fire times a scraper missed and the newest of them, newest first', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '*/10 * * * *' });
    await setSchedule(db.pool, scraperId, { missedRunPolicy: 'SKIP', scheduledThrough: new Date('2030-06-01T00:00:00Z') });
    // Down from 00:00 until 08:00:30: 47 fire times from 00:10 to 07:50 passed, then 08:00 was reached late.
    await passAt(db.pool, new Date('2030-06-01T08:00:30Z'));
    const { missedCount, missedTicks, lastTick } = await scheduleOf(server.admin, scraperId);
    expect(lastTick).toMatchObject({ fireAt: '2030-06-01T08:00:00.000Z', outcome: 'QUEUED' });
    expect(missedCount).toBe(47);
    expect(missedTicks).toHaveLength(20);
    expect(missedTicks[0]).toEqual({ fireAt: '2030-06-01T07:50:00.000Z', outcome: 'SKIPPED_MISSED', caughtUp: true, run: null });
    expect(missedTicks[19].fireAt).toBe('2030-06-01T04:40:00.000Z');
  });
});

describe('restart', () => {
  it('keeps what the scheduler did across a server restart: no fire time runs twice, the next one runs', async () => {
    const { scraperId } = await seedScraper(db.pool, { cron: '* * * * *' });
    const fire = minuteFromNow(2);
    await setSchedule(db.pool, scraperId, { scheduledThrough: plus(fire, -1) });
    await passAt(db.pool, plus(fire, 5));

    await restartServer();

    expect(await scheduleOf(server.admin, scraperId)).toMatchObject({ lastTick: { fireAt: fire.toISOString(), outcome: 'QUEUED' } });
    await passAt(db.pool, plus(fire, 40));
    expect(await runsOf(db.pool, scraperId)).toHaveLength(1);
    await finishActiveRuns(db.pool, scraperId);
    await passAt(db.pool, plus(fire, 65));
    expect((await ticksOf(db.pool, scraperId)).map((t) => t.fireAt)).toEqual([fire, plus(fire, 60)]);
    expect(await runsOf(db.pool, scraperId)).toHaveLength(2);
  });
});
