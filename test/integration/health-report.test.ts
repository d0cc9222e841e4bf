import { beforeAll, describe, expect, it } from 'vitest';
import { insertRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
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
    }
  }`;

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
});

const counts = (row: any) => Object.fromEntries(row.runsByStatus.map((s: any) => [s.status, s.count]));

describe('health', () => {
  it('summarises the last seven days of each scraper by default', async () => {
    const { health } = await server.admin.data(HEALTH);
    expect(health.map((h: any) => h.scraper.slug)).toEqual(['a-busy', 'b-idle']);
    const busy = health[0];
    expect(busy.runCount).toBe(7);
    expect(busy.finishedCount).toBe(5);
    expect(busy.successRate).toBeCloseTo(3 / 5, 10);
    expect(busy.averageDurationSeconds).toBeCloseTo(30, 10);
    // percentile_cont over 10, 20, 30, 40, 50: position 0.95 × 4 = 3.8, so 40 + 0.8 × 10.
    expect(busy.p95DurationSeconds).toBeCloseTo(48, 10);
    expect(counts(busy)).toEqual({ QUEUED: 1, RUNNING: 1, SUCCESS: 2, WARNING: 1, ERROR: 1, CANCELLED: 1 });
    expect(busy.lastRun).toEqual({ id: String(latestRunId), status: 'QUEUED' });
    // The WARNING run completed 390 minutes ago, the later SUCCESS 120 minutes ago; ERROR does not count.
    const lastSuccessAge = Date.now() - Date.parse(busy.lastSuccessAt);
    expect(lastSuccessAge).toBeGreaterThan(119 * 60_000);
    expect(lastSuccessAge).toBeLessThan(125 * 60_000);
  });

  it('widens the window with days', async () => {
    const { health } = await server.admin.data(HEALTH, { days: 30 });
    const busy = health[0];
    expect(busy.runCount).toBe(8);
    expect(busy.successRate).toBeCloseTo(4 / 6, 10);
    expect(busy.averageDurationSeconds).toBeCloseTo(1150 / 6, 10);
    // Six durations: position 0.95 × 5 = 4.75, so 50 + 0.75 × 950.
    expect(busy.p95DurationSeconds).toBeCloseTo(762.5, 10);
  });

  it('shows a scraper without runs with zero counts and no rates', async () => {
    const { health } = await server.admin.data(HEALTH);
    const idle = health[1];
    expect(idle).toMatchObject({ runCount: 0, finishedCount: 0, successRate: null, averageDurationSeconds: null, p95DurationSeconds: null, lastRun: null, lastSuccessAt: null });
    expect(Object.values(counts(idle))).toEqual([0, 0, 0, 0, 0, 0]);
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
