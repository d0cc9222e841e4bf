/**
 * Trends are kept as daily rollups when runs end: each run counted once, on the day it ended in its
 * scraper's schedule zone; a source's day is its latest delivery, with the drift of its categories.
 * The rollups must equal what the raw runs say, and the GraphQL fields read them back.
 */
import { describe, expect, it } from 'vitest';
import { withTransaction } from '../../server/db/withTransaction.ts';
import { addRunsToScraperDays } from '../../server/trends/sql/addRunsToScraperDays.ts';
import { putRunOnSourceDay } from '../../server/trends/sql/putRunOnSourceDay.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { passAt, setSchedule } from '../helpers/scheduler.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';
import {
  generateHistory,
  jensenShannon,
  recomputedScraperDays,
  recomputedSourceDays,
  seededRandom,
  storedScraperDays,
  storedSourceDays,
} from '../helpers/trends.ts';

const { db, server } = useTestServer();

const SCRAPER_TRENDS = /* GraphQL */ `
  query($id: ID!, $days: Int) {
    scraperTrends(scraperId: $id, days: $days) {
      timezone
      days { day runs succeeded warned failed cancelled successRate durationP50 durationP95 productsFound warningLines errorLines }
    }
  }`;
const SOURCE_TRENDS = /* GraphQL */ `
  query($id: ID!, $days: Int) {
    sourceTrends(sourceId: $id, days: $days) {
      timezone
      days { day products missing { field count share } categories { category count share } outliers drift
             driftCategories { category share trailingShare change } }
    }
  }`;

/** Ends runs the way the run-ending transactions do, for runs whose end time a test chooses. */
async function countEnded(runIds: number[], withSource = false) {
  await withTransaction(db.pool, async (client) => {
    await addRunsToScraperDays(client, runIds);
    if (withSource) for (const id of runIds) await putRunOnSourceDay(client, id);
  });
}

async function endedRunAt(scraperId: number, completedAt: string, fields: { status?: string; duration?: number | null } = {}) {
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO run (scraper_id, status, triggered_by, started_at, completed_at, duration_seconds)
     VALUES ($1, $2::"RunStatus", 'API', $3::timestamptz - interval '1 minute', $3, $4) RETURNING id`,
    [scraperId, fields.status ?? 'SUCCESS', completedAt, fields.duration === undefined ? 60 : fields.duration],
  );
  return rows[0]!.id;
}

const localDay = (at: Date, zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

describe('scraper rollups', () => {
  it("count a run on the day it ended in the scraper's schedule zone, UTC for a scraper without a cron", async () => {
    const berlin = await seedScraper(db.pool, { cron: '0 6 * * *' });
    await setSchedule(db.pool, berlin.scraperId, { timezone: 'Europe/Berlin' });
    const utc = await seedScraper(db.pool);
    // A zone without a cron schedules nothing: its days are UTC.
    const unscheduled = await seedScraper(db.pool);
    await setSchedule(db.pool, unscheduled.scraperId, { timezone: 'Asia/Tokyo' });

    const ends = ['2026-03-01T22:59:00Z', '2026-03-01T23:30:00Z'];
    const ids = [];
    for (const { scraperId } of [berlin, utc, unscheduled]) for (const at of ends) ids.push(await endedRunAt(scraperId, at));
    await countEnded(ids);

    const { rows } = await db.pool.query(
      `SELECT scraper_id AS "scraperId", day::text, timezone, succeeded FROM scraper_day WHERE scraper_id = ANY($1) ORDER BY scraper_id, day`,
      [[berlin.scraperId, utc.scraperId, unscheduled.scraperId]],
    );
    expect(rows).toEqual([
      // 23:59 and 00:30 in Berlin (UTC+1 in March before the clocks change).
      { scraperId: berlin.scraperId, day: '2026-03-01', timezone: 'Europe/Berlin', succeeded: 1 },
      { scraperId: berlin.scraperId, day: '2026-03-02', timezone: 'Europe/Berlin', succeeded: 1 },
      { scraperId: utc.scraperId, day: '2026-03-01', timezone: 'UTC', succeeded: 2 },
      { scraperId: unscheduled.scraperId, day: '2026-03-01', timezone: 'UTC', succeeded: 2 },
    ]);
  });

  it('are read back per zone: half an hour before midnight UTC is tomorrow in Berlin', async () => {
    const berlin = await seedScraper(db.pool, { cron: '0 6 * * *' });
    await setSchedule(db.pool, berlin.scraperId, { timezone: 'Europe/Berlin' });
    const utc = await seedScraper(db.pool);
    const midnight = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
    const ended = new Date(midnight.getTime() - 30 * 60_000);
    await countEnded([await endedRunAt(berlin.scraperId, ended.toISOString()), await endedRunAt(utc.scraperId, ended.toISOString(), { status: 'ERROR' })]);

    for (const [{ scraperId }, zone, counted] of [[berlin, 'Europe/Berlin', { succeeded: 1, failed: 0 }], [utc, 'UTC', { succeeded: 0, failed: 1 }]] as const) {
      const { scraperTrends } = await server.admin.data(SCRAPER_TRENDS, { id: String(scraperId), days: 3 });
      expect(scraperTrends.timezone).toBe(zone);
      expect(scraperTrends.days).toHaveLength(3);
      expect(scraperTrends.days.map((d: { day: string }) => d.day)).toEqual([...scraperTrends.days.map((d: { day: string }) => d.day)].sort());
      expect(scraperTrends.days.at(-1).day).toBe(localDay(new Date(), zone));
      const day = scraperTrends.days.find((d: { day: string }) => d.day === localDay(ended, zone));
      expect(day).toMatchObject({ ...counted, runs: 1, successRate: counted.succeeded, durationP50: 60, durationP95: 60 });
      // The other days of the window are there, empty.
      for (const other of scraperTrends.days.filter((d: { day: string }) => d !== day)) {
        expect(other).toMatchObject({ runs: 0, successRate: null, durationP50: null, durationP95: null, productsFound: 0 });
      }
    }
    expect(localDay(ended, 'Europe/Berlin')).not.toBe(localDay(ended, 'UTC'));
  });

  it('equal a recomputation from the raw runs, column by column, on generated history', async () => {
    const runs = await generateHistory(db.pool, { seed: 16, sources: 6, runs: 900, days: 40 });
    // Runs end one transaction at a time, several at once where a scheduler pass takes many lost runs.
    const random = seededRandom(7);
    for (let i = 0; i < runs.length; ) {
      const batch = runs.slice(i, (i += 1 + Math.floor(random() * 6)));
      await withTransaction(db.pool, async (client) => {
        await addRunsToScraperDays(client, batch.map((r) => r.id));
        for (const run of batch) if (run.status !== 'CANCELLED') await putRunOnSourceDay(client, run.id);
      });
    }
    const generated = new Set(runs.map((r) => r.scraperId));
    const stored = (await storedScraperDays(db.pool)).filter((row) => generated.has(row.scraper_id));
    const recomputed = (await recomputedScraperDays(db.pool)).filter((row) => generated.has(row.scraper_id));
    expect(recomputed.length).toBeGreaterThan(200);
    expect(stored).toEqual(recomputed);

    // Read back through the API: the day's figures, percentiles included, as SQL computes them from the raw runs.
    const { rows: raw } = await db.pool.query(
      `SELECT to_char(r.completed_at AT TIME ZONE z.zone, 'YYYY-MM-DD') AS day, count(*)::int AS runs,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY r.duration_seconds) FILTER (WHERE r.status <> 'CANCELLED') AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY r.duration_seconds) FILTER (WHERE r.status <> 'CANCELLED') AS p95
         FROM run r JOIN scraper s ON s.id = r.scraper_id
        CROSS JOIN LATERAL (SELECT CASE WHEN s.cron IS NULL THEN 'UTC' ELSE s.timezone END AS zone) z
        WHERE r.scraper_id = $1 GROUP BY 1`,
      [runs[0]!.scraperId],
    );
    const { scraperTrends } = await server.admin.data(SCRAPER_TRENDS, { id: String(runs[0]!.scraperId), days: 42 });
    for (const day of scraperTrends.days) {
      const expected = raw.find((r) => r.day === day.day) ?? { runs: 0, p50: null, p95: null };
      expect({ day: day.day, runs: day.runs }).toEqual({ day: day.day, runs: expected.runs });
      for (const [got, want] of [[day.durationP50, expected.p50], [day.durationP95, expected.p95]]) {
        if (want === null) expect(got).toBeNull();
        else expect(got).toBeCloseTo(want, 9);
      }
    }
    expect(raw.length).toBeGreaterThan(20);

    const sources = new Set(runs.map((r) => r.sourceId));
    const storedSources = (await storedSourceDays(db.pool)).filter((row) => sources.has(row.source_id));
    const recomputedSources = (await recomputedSourceDays(db.pool)).filter((row) => sources.has(row.source_id));
    expect(recomputedSources.length).toBeGreaterThan(100);
    expect(storedSources.map(({ drift: _d, driftCategories: _c, ...row }) => row)).toEqual(recomputedSources);
    // Drift against the sum of the 7 days before, recomputed here with the divergence written apart.
    const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;
    for (const row of recomputedSources) {
      const trailing: Record<string, number> = {};
      for (const before of recomputedSources) {
        const gap = dayNumber(row.day) - dayNumber(before.day);
        if (before.source_id !== row.source_id || gap < 1 || gap > 7) continue;
        for (const [category, n] of Object.entries(before.categories)) trailing[category] = (trailing[category] ?? 0) + n;
      }
      const stored = storedSources.find((s) => s.source_id === row.source_id && s.day === row.day)!;
      const expected = jensenShannon(row.categories, trailing);
      if (expected === null) expect(stored.drift).toBeNull();
      else expect(stored.drift).toBeCloseTo(expected, 9);
    }
  });

  it('count runs of a scraper whose zone the scheduler knows but PostgreSQL does not, on its day in that zone', async () => {
    // Node's time zone data still knows links that tzdata (and so PostgreSQL) dropped; the scraper's
    // input accepts them and the scheduler fires in them, so ending its runs must not fail on them.
    const { scraperId } = await seedScraper(db.pool, { cron: '0 6 * * *' });
    const zone = 'US/Pacific-New';
    const updated = await server.admin.data(`mutation($id: ID!, $tz: String!) { updateScraper(id: $id, input: { timezone: $tz }) { __typename } }`, {
      id: String(scraperId),
      tz: zone,
    });
    expect(updated.updateScraper.__typename).toBe('MutationUpdateScraperSuccess');
    // No retries, and no tick of its own schedule in the pass below: the runs left are the two counted.
    await setSchedule(db.pool, scraperId, { maxRetries: 0, scheduledThrough: new Date(Date.now() + 2 * 3_600_000) });
    const runner = await seedRunner(db.pool);
    const jobId = await claimRunFor(server, scraperId, runner.apiKey);
    const { completeRun } = await server
      .client({ apiKey: runner.apiKey })
      .data(`mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: ERROR, productsFound: 0, productsProcessed: 0, flagsCreated: 0 }) { __typename } }`, { jobId });
    expect(completeRun.__typename).toBe('MutationCompleteRunSuccess');

    // A lost run of the scraper is counted by the scheduler's pass, which must go on for the other scrapers too.
    await claimRunFor(server, scraperId, runner.apiKey);
    const other = await seedScraper(db.pool);
    await setSchedule(db.pool, other.scraperId, { maxRetries: 0 });
    const otherRunner = await seedRunner(db.pool);
    await claimRunFor(server, other.scraperId, otherRunner.apiKey);
    await passAt(db.pool, new Date(Date.now() + 3_600_000));
    const { rows } = await db.pool.query<{ status: string }>(`SELECT status FROM run WHERE scraper_id = $1`, [other.scraperId]);
    expect(rows).toEqual([{ status: 'ERROR' }]);

    const { scraperTrends } = await server.admin.data(SCRAPER_TRENDS, { id: String(scraperId), days: 2 });
    expect(scraperTrends.timezone).toBe(zone);
    const { completedAt } = (await db.pool.query<{ completedAt: Date }>(`SELECT max(completed_at) AS "completedAt" FROM run WHERE scraper_id = $1`, [scraperId])).rows[0]!;
    const day = scraperTrends.days.find((d: { day: string }) => d.day === localDay(completedAt, 'America/Los_Angeles'));
    expect(day).toMatchObject({ runs: 2, failed: 2 });
    // The pass also queued runs of earlier tests' scrapers (their hourly schedules, retries): cancelled (and so counted) here, they leave the queue empty.
    const queued = await db.pool.query<{ id: number }>(`SELECT id FROM run WHERE status = 'QUEUED'`);
    for (const { id } of queued.rows) await server.admin.data(`mutation($jobId: ID!) { cancelRun(jobId: $jobId) { __typename } }`, { jobId: String(id) });
  });

  it("count a run's end once: a retried completion, a second cancel and a second lease pass add nothing", async () => {
    const { scraperId, sourceId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const runnerClient = server.client({ apiKey: runner.apiKey });

    const completed = await claimRunFor(server, scraperId, runner.apiKey);
    const products = [
      { sku: 'A', name: 'Alpha', category: 'Flower', price: 10 },
      { sku: 'B', name: 'Beta', category: 'Flower', price: 12 },
      { sku: 'C', name: 'Gamma', category: 'Edibles', price: 4 },
    ];
    await runnerClient.data(`mutation($jobId: ID!, $products: [ProductInput!]!) { reportProducts(jobId: $jobId, batchId: "b1", products: $products) { __typename } }`, {
      jobId: completed,
      products,
    });
    const complete = () =>
      runnerClient.data(`mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 3, productsProcessed: 3, flagsCreated: 0 }) { __typename } }`, {
        jobId: completed,
      });
    expect((await complete()).completeRun.__typename).toBe('MutationCompleteRunSuccess');
    expect((await complete()).completeRun.__typename).toBe('MutationCompleteRunSuccess');

    const { triggerRun } = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, { id: String(scraperId) });
    const cancel = () => server.admin.data(`mutation($jobId: ID!) { cancelRun(jobId: $jobId) { __typename } }`, { jobId: triggerRun.data.id });
    expect((await cancel()).cancelRun.__typename).toBe('MutationCancelRunSuccess');
    expect((await cancel()).cancelRun.__typename).not.toBe('MutationCancelRunSuccess');

    await setSchedule(db.pool, scraperId, { maxRetries: 0 });
    await claimRunFor(server, scraperId, runner.apiKey);
    const afterLease = new Date(Date.now() + 3_600_000);
    await passAt(db.pool, afterLease);
    await passAt(db.pool, afterLease);

    const { scraperTrends } = await server.admin.data(SCRAPER_TRENDS, { id: String(scraperId), days: 1 });
    const [today] = scraperTrends.days;
    expect(today).toMatchObject({ runs: 3, cancelled: 1, failed: 1, productsFound: 3 });
    expect(today.succeeded + today.warned).toBe(1);

    const { sourceTrends } = await server.admin.data(SOURCE_TRENDS, { id: String(sourceId), days: 1 });
    expect(sourceTrends.timezone).toBe('UTC');
    expect(sourceTrends.days[0]).toMatchObject({
      products: 3,
      categories: [
        { category: 'flower', count: 2, share: 2 / 3 },
        { category: 'edibles', count: 1, share: 1 / 3 },
      ],
      // Nothing before today to compare with.
      drift: null,
      driftCategories: [],
    });
  });
});

describe('source rollups', () => {
  /** A run of the source's scraper that ended `daysAgo` UTC days ago with products of these categories. */
  async function delivered(scraperId: number, sourceId: number, daysAgo: number, categories: Record<string, number>, minute = 1) {
    const total = Object.values(categories).reduce((s, n) => s + n, 0);
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO run (scraper_id, status, triggered_by, started_at, completed_at, quality)
       VALUES ($1, 'SUCCESS', 'API', now() - interval '1 day' * ($2 + 1),
               (date_trunc('day', now() AT TIME ZONE 'UTC') - interval '1 day' * $2 + interval '1 minute' * $3) AT TIME ZONE 'UTC', $4)
       RETURNING id`,
      [scraperId, daysAgo, minute, { productCount: total, missingFields: [{ field: 'brand', missing: 1, percent: 100 / total }], outliers: 2, duplicates: 0 }],
    );
    const runId = rows[0]!.id;
    let n = 0;
    for (const [category, count] of Object.entries(categories)) {
      for (let i = 0; i < count; i++) {
        await db.pool.query(`INSERT INTO product (source_id, sku, name, category, scraped_at, run_id) VALUES ($1, $2, $2, $3, now(), $4)`, [sourceId, `${runId}-${n++}`, category, runId]);
      }
    }
    return runId;
  }

  it('score the day a category doubles above a steady day, and name that category first', async () => {
    const steady = { flower: 10, vapes: 10, edibles: 10 };
    const scores: Record<string, { drift: number; first: string; change: number }> = {};
    for (const [name, today] of [['steady', steady], ['doubled', { ...steady, flower: 20 }]] as const) {
      const { scraperId, sourceId } = await seedScraper(db.pool);
      for (let daysAgo = 7; daysAgo >= 1; daysAgo--) await countEnded([await delivered(scraperId, sourceId, daysAgo, steady)], true);
      await countEnded([await delivered(scraperId, sourceId, 0, today)], true);
      const { sourceTrends } = await server.admin.data(SOURCE_TRENDS, { id: String(sourceId), days: 9 });
      const days = sourceTrends.days;
      expect(days).toHaveLength(9);
      expect(days[0]).toMatchObject({ products: 0, categories: [], drift: null, driftCategories: [] });
      // The first delivery has nothing before it; the next ones compare with a distribution like their own.
      expect(days[1].drift).toBeNull();
      expect(days[2].drift).toBeCloseTo(0, 12);
      const last = days.at(-1);
      expect(last.missing).toEqual([{ field: 'brand', count: 1, share: 1 / last.products }]);
      expect(last.outliers).toBe(2);
      scores[name] = { drift: last.drift, first: last.driftCategories[0].category, change: last.driftCategories[0].change };
      if (name === 'doubled') {
        expect(last.driftCategories[0]).toEqual({ category: 'flower', share: 0.5, trailingShare: 1 / 3, change: 0.5 - 1 / 3 });
        expect(last.drift).toBeCloseTo(jensenShannon({ flower: 20, vapes: 10, edibles: 10 }, { flower: 70, vapes: 70, edibles: 70 })!, 12);
      }
    }
    expect(scores.steady!.drift).toBeCloseTo(0, 12);
    expect(scores.doubled!.drift).toBeGreaterThan(0.01);
  });

  it("hold the day's latest delivery, whichever order the ends are counted in", async () => {
    const { scraperId, sourceId } = await seedScraper(db.pool);
    const later = await delivered(scraperId, sourceId, 1, { flower: 4 }, 30);
    const earlier = await delivered(scraperId, sourceId, 1, { vapes: 9 }, 5);
    await countEnded([later], true);
    await countEnded([earlier], true);
    const { rows } = await db.pool.query(`SELECT run_id AS "runId", products FROM source_day WHERE source_id = $1`, [sourceId]);
    expect(rows).toEqual([{ runId: later, products: 4 }]);
  });
});

describe('trend queries', () => {
  it('answer many scraper cards at once, each with its own days', async () => {
    const made = [];
    // A minute ago, but today: in the first minute after midnight a minute ago is yesterday, which today's card does not show.
    const startOfToday = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').getTime();
    const endedAt = new Date(Math.max(Date.now() - 60_000, startOfToday)).toISOString();
    for (let i = 0; i < 4; i++) {
      const { scraperId } = await seedScraper(db.pool);
      const ids = [];
      for (let k = 0; k <= i; k++) ids.push(await endedRunAt(scraperId, endedAt, { duration: 10 * (k + 1) }));
      await countEnded(ids);
      made.push(scraperId);
    }
    const { scrapers } = await server.admin.data(`{ scrapers { id trends { timezone days { day runs durationP50 } } month: trends(days: 30) { days { day } } } }`);
    for (const [i, scraperId] of made.entries()) {
      const card = scrapers.find((s: { id: string }) => s.id === String(scraperId));
      expect(card.trends.timezone).toBe('UTC');
      expect(card.trends.days).toHaveLength(7);
      expect(card.month.days).toHaveLength(30);
      expect(card.trends.days.at(-1)).toEqual({ day: localDay(new Date(), 'UTC'), runs: i + 1, durationP50: 5 * (i + 2) });
    }
  });

  it("are not a runner's to read, even on the scraper of the run it claimed", async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`, { id: String(scraperId) });
    const claimed = await server.client({ apiKey: runner.apiKey }).request(
      `mutation { claimRun { ... on MutationClaimRunSuccess { data { id scraper { slug trends { timezone } } } } } }`,
    );
    expect(claimed.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect((claimed.errors?.[0] as { path?: unknown } | undefined)?.path).toEqual(['claimRun', 'data', 'scraper', 'trends']);
  });

  it('refuse a window outside 1..90 days', async () => {
    const { scraperId, sourceId } = await seedScraper(db.pool);
    for (const days of [0, 91, -1]) {
      for (const [document, id] of [[SCRAPER_TRENDS, scraperId], [SOURCE_TRENDS, sourceId]] as const) {
        const result = await server.admin.request(document, { id: String(id), days });
        expect(result.data).toBeNull();
        expect(result.errors?.[0]?.message).toMatch(/days must be/);
      }
      const cards = await server.admin.request(`query($days: Int) { scrapers { trends(days: $days) { timezone } } }`, { days });
      expect(cards.errors?.[0]?.message).toMatch(/days must be/);
    }
    const { scraperTrends } = await server.admin.data(SCRAPER_TRENDS, { id: String(scraperId), days: 90 });
    expect(scraperTrends.days).toHaveLength(90);
  });
});
