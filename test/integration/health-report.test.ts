import { beforeAll, describe, expect, it } from 'vitest';
import { insertRun } from '../helpers/runs.ts';
import { seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const HEALTH = /* GraphQL */ `
  query Health($days: Int) {
    health(days: $days) {
      scraper { slug }
      runCount
      finishedCount
      successRate
      averageDurationSeconds
      p95DurationSeconds
      runsByStatus { status count }
      lastRun { id status }
      lastSuccessAt
      state
      latestWarnings { reason message expected actual gate }
    }
  }`;

const OVERVIEW = /* GraphQL */ `
  query Overview($days: Int) { healthOverview(days: $days) { total healthy degraded failing noData } }`;

type Status = 'SUCCESS' | 'WARNING' | 'ERROR' | 'CANCELLED';

/** A scraper whose runs ended in the given order, an hour apart, the last one ten minutes ago. */
async function seedHistory(slug: string, statuses: Status[]): Promise<number[]> {
  const { scraperId } = await seedScraper(db.pool, { slug });
  const ids: number[] = [];
  for (const [i, status] of statuses.entries()) {
    const completedMinutesAgo = 10 + 60 * (statuses.length - 1 - i);
    ids.push(await insertRun(db.pool, { scraperId, status, queuedMinutesAgo: completedMinutesAgo + 1, completedMinutesAgo, durationSeconds: 30 }));
  }
  return ids;
}

const dropWarning = { reason: 'VOLUME_DROP', message: 'Found 2 products, under 50% of the 15 expected', expected: 15, actual: 2, gate: null };

const { db, server } = useTestServer();
let latestRunId: number;

beforeAll(async () => {
  const busy = await seedScraper(db.pool, { slug: 'a-busy' });
  await seedScraper(db.pool, { slug: 'b-idle' });
  const runs = [
    { status: 'SUCCESS', queuedMinutesAgo: 600, completedMinutesAgo: 590, durationSeconds: 10 },
    { status: 'SUCCESS', queuedMinutesAgo: 500, completedMinutesAgo: 120, durationSeconds: 20 },
    { status: 'WARNING', queuedMinutesAgo: 400, completedMinutesAgo: 390, durationSeconds: 30 },
    { status: 'ERROR', queuedMinutesAgo: 300, completedMinutesAgo: 10, durationSeconds: 40 },
    { status: 'CANCELLED', queuedMinutesAgo: 200, completedMinutesAgo: 190, durationSeconds: 50 },
    { status: 'RUNNING', queuedMinutesAgo: 100 },
    // Ten days old: outside the default window, inside a 30-day one.
    { status: 'SUCCESS', queuedMinutesAgo: 10 * 24 * 60, completedMinutesAgo: 10 * 24 * 60 - 5, durationSeconds: 1000 },
  ] as const;
  for (const run of runs) await insertRun(db.pool, { scraperId: busy.scraperId, ...run });
  latestRunId = await insertRun(db.pool, { scraperId: busy.scraperId, status: 'QUEUED', queuedMinutesAgo: 5 });

  // c-dropped: nine good runs, then one that found far too little.
  const dropped = await seedHistory('c-dropped', [...Array(9).fill('SUCCESS'), 'WARNING']);
  await db.pool.query(`UPDATE run SET warnings = $2 WHERE id = $1`, [dropped.at(-1), JSON.stringify([dropWarning])]);
  // d-steady: one failure among ten, the latest good: exactly 90% success.
  await seedHistory('d-steady', ['ERROR', ...Array(9).fill('SUCCESS')]);
  // e-flaky: the latest good, but only three of five.
  await seedHistory('e-flaky', ['WARNING', 'SUCCESS', 'ERROR', 'SUCCESS', 'SUCCESS']);
  // f-cancelled: a cancellation judges nothing, and a later cancellation hides no failure.
  await seedHistory('f-cancelled', ['CANCELLED']);
  await seedHistory('g-failed-then-cancelled', ['SUCCESS', 'SUCCESS', 'ERROR', 'CANCELLED']);
});

const counts = (row: any) => Object.fromEntries(row.runsByStatus.map((s: any) => [s.status, s.count]));

describe('health', () => {
  it('summarises the last seven days of each scraper by default', async () => {
    const { health } = await server.admin.data(HEALTH);
    expect(health.map((h: any) => h.scraper.slug).slice(0, 2)).toEqual(['a-busy', 'b-idle']);
    const busy = health[0];
    expect(busy.runCount).toBe(7);
    expect(busy.finishedCount).toBe(5);
    // SUCCESS over SUCCESS, WARNING and ERROR: a WARNING is no success, a cancellation no judgement.
    expect(busy.successRate).toBeCloseTo(2 / 4, 10);
    // The latest run that ended (ten minutes ago) is the ERROR.
    expect(busy.state).toBe('FAILING');
    expect(busy.averageDurationSeconds).toBeCloseTo(30, 10);
    // percentile_cont over 10, 20, 30, 40, 50: position 0.95 × 4 = 3.8, so 40 + 0.8 × 10.
    expect(busy.p95DurationSeconds).toBeCloseTo(48, 10);
    expect(counts(busy)).toEqual({ QUEUED: 1, RUNNING: 1, SUCCESS: 2, WARNING: 1, ERROR: 1, CANCELLED: 1 });
    expect(busy.lastRun).toEqual({ id: String(latestRunId), status: 'QUEUED' });
    // The latest SUCCESS completed 120 minutes ago; neither the ERROR nor a WARNING counts.
    const lastSuccessAge = Date.now() - Date.parse(busy.lastSuccessAt);
    expect(lastSuccessAge).toBeGreaterThan(119 * 60_000);
    expect(lastSuccessAge).toBeLessThan(125 * 60_000);
  });

  it('widens the window with days', async () => {
    const { health } = await server.admin.data(HEALTH, { days: 30 });
    const busy = health[0];
    expect(busy.runCount).toBe(8);
    expect(busy.successRate).toBeCloseTo(3 / 5, 10);
    expect(busy.averageDurationSeconds).toBeCloseTo(1150 / 6, 10);
    // Six durations: position 0.95 × 5 = 4.75, so 50 + 0.75 × 950.
    expect(busy.p95DurationSeconds).toBeCloseTo(762.5, 10);
  });

  it('shows a scraper without runs with zero counts and no rates', async () => {
    const { health } = await server.admin.data(HEALTH);
    const idle = health[1];
    expect(idle).toMatchObject({ runCount: 0, finishedCount: 0, successRate: null, averageDurationSeconds: null, p95DurationSeconds: null, lastRun: null, lastSuccessAt: null });
    expect(idle).toMatchObject({ state: 'NO_DATA', latestWarnings: [] });
    expect(Object.values(counts(idle))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('judges each scraper HEALTHY, DEGRADED, FAILING or NO_DATA by its latest ended run and its success rate', async () => {
    const { health } = await server.admin.data(HEALTH);
    const bySlug = Object.fromEntries(health.map((h: any) => [h.scraper.slug, h]));
    expect(bySlug['c-dropped']).toMatchObject({ state: 'DEGRADED', successRate: 0.9 });
    expect(bySlug['d-steady']).toMatchObject({ state: 'HEALTHY', successRate: 0.9 });
    expect(bySlug['e-flaky']).toMatchObject({ state: 'DEGRADED' });
    expect(bySlug['e-flaky'].successRate).toBeCloseTo(3 / 5, 10);
    expect(bySlug['f-cancelled']).toMatchObject({ state: 'NO_DATA', successRate: null });
    expect(bySlug['g-failed-then-cancelled']).toMatchObject({ state: 'FAILING' });
  });

  it("shows the warnings of the latest ended run, with their figures, and none once it is not WARNING", async () => {
    const { health } = await server.admin.data(HEALTH);
    const bySlug = Object.fromEntries(health.map((h: any) => [h.scraper.slug, h]));
    expect(bySlug['c-dropped'].latestWarnings).toEqual([dropWarning]);
    // e-flaky's WARNING is not its latest run.
    expect(bySlug['e-flaky'].latestWarnings).toEqual([]);
    expect(bySlug['a-busy'].latestWarnings).toEqual([]);
  });

  it('counts scrapers by state in the overview', async () => {
    const { healthOverview } = await server.admin.data(OVERVIEW);
    expect(healthOverview).toEqual({ total: 7, healthy: 1, degraded: 2, failing: 2, noData: 2 });
    const { token } = await seedToken(db.pool, 'VIEWER');
    // Every run above ended within the last day: a viewer's one-day window judges the same.
    expect((await server.client({ token }).data(OVERVIEW, { days: 1 })).healthOverview).toEqual(healthOverview);
  });

  it('refuses a window outside 1..90 days', async () => {
    for (const days of [0, 91, -3]) {
      const result = await server.admin.request(HEALTH, { days });
      expect(result.data?.health ?? null).toBeNull();
      expect(result.errors?.[0]?.message).toMatch(/days must be/);
    }
  });

  it('is not readable without credentials', async () => {
    const result = await server.client().request(HEALTH);
    // Refused by its auth scope: not a failure of the query, which would pass with any error.
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(result.data?.health ?? null).toBeNull();
  });
});
