import { beforeAll, describe, expect, it } from 'vitest';
import { insertRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const FRESHNESS = /* GraphQL */ `
  query Freshness($sourceId: ID) {
    freshness(sourceId: $sourceId) { source { id name } lastSuccessAt ageSeconds status }
  }`;

const { db, server } = useTestServer();
const sourceIds: Record<string, number> = {};

/** A source that goes STALE after an hour and CRITICAL after four. */
async function seedSource(slug: string) {
  const seeded = await seedScraper(db.pool, { slug });
  await db.pool.query(`UPDATE source SET stale_after_minutes = 60, critical_after_minutes = 240 WHERE id = $1`, [seeded.sourceId]);
  sourceIds[slug] = seeded.sourceId;
  return seeded;
}

beforeAll(async () => {
  const fresh = await seedSource('fresh');
  await insertRun(db.pool, { scraperId: fresh.scraperId, status: 'SUCCESS', queuedMinutesAgo: 11, completedMinutesAgo: 10 });
  // A second scraper of the same source that last succeeded long ago: the newest good run counts.
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO scraper (slug, name, source_id) VALUES ('fresh-2', 'Fresh 2', $1) RETURNING id`,
    [fresh.sourceId],
  );
  await insertRun(db.pool, { scraperId: rows[0]!.id, status: 'SUCCESS', queuedMinutesAgo: 1000, completedMinutesAgo: 999 });

  const stale = await seedSource('stale');
  await insertRun(db.pool, { scraperId: stale.scraperId, status: 'WARNING', queuedMinutesAgo: 125, completedMinutesAgo: 120 });
  // Failed and running attempts since then do not make the data any newer.
  await insertRun(db.pool, { scraperId: stale.scraperId, status: 'ERROR', queuedMinutesAgo: 3, completedMinutesAgo: 1 });
  await insertRun(db.pool, { scraperId: stale.scraperId, status: 'RUNNING', queuedMinutesAgo: 1 });

  const critical = await seedSource('critical');
  await insertRun(db.pool, { scraperId: critical.scraperId, status: 'SUCCESS', queuedMinutesAgo: 301, completedMinutesAgo: 300 });

  const never = await seedSource('never');
  await insertRun(db.pool, { scraperId: never.scraperId, status: 'ERROR', queuedMinutesAgo: 5, completedMinutesAgo: 4 });
});

describe('freshness', () => {
  it("judges each source's newest good scrape against its own thresholds", async () => {
    const { freshness } = await server.admin.data(FRESHNESS);
    const bySlug = Object.fromEntries(freshness.map((f: any) => [f.source.name.replace(' source', ''), f]));
    expect(Object.keys(bySlug).sort()).toEqual(['critical', 'fresh', 'never', 'stale']);
    expect(bySlug.fresh.status).toBe('FRESH');
    expect(bySlug.stale.status).toBe('STALE');
    expect(bySlug.critical.status).toBe('CRITICAL');
    expect(bySlug.fresh.ageSeconds).toBeGreaterThanOrEqual(600);
    expect(bySlug.fresh.ageSeconds).toBeLessThan(600 + 120);
    expect(bySlug.stale.ageSeconds).toBeGreaterThanOrEqual(120 * 60);
    expect(bySlug.stale.ageSeconds).toBeLessThan(122 * 60);
    expect(Math.abs(Date.now() - Date.parse(bySlug.critical.lastSuccessAt) - 300 * 60_000)).toBeLessThan(120_000);
  });

  it('calls a source that never had a good run CRITICAL', async () => {
    const { freshness } = await server.admin.data(FRESHNESS, { sourceId: String(sourceIds.never) });
    expect(freshness).toEqual([
      { source: { id: String(sourceIds.never), name: 'never source' }, lastSuccessAt: null, ageSeconds: null, status: 'CRITICAL' },
    ]);
  });

  it('follows a change of thresholds at once', async () => {
    await db.pool.query(`UPDATE source SET stale_after_minutes = 600, critical_after_minutes = 1200 WHERE id = $1`, [sourceIds.critical]);
    const { freshness } = await server.admin.data(FRESHNESS, { sourceId: String(sourceIds.critical) });
    expect(freshness[0].status).toBe('FRESH');
  });
});
