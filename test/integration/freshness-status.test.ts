import { beforeAll, describe, expect, it } from 'vitest';
import { sourceFreshness } from '../../server/freshness/sql/sourceFreshness.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const FRESHNESS = /* GraphQL */ `
  query Freshness($sourceId: ID) {
    freshness(sourceId: $sourceId) { source { id name } lastDeliveredAt lastSuccessAt ageSeconds status }
  }`;

const { db, server } = useTestServer();
const sourceIds: Record<string, number> = {};

/** A source that goes STALE after an hour and CRITICAL after four, last delivered that many minutes ago (null: never). */
async function seedSource(slug: string, deliveredMinutesAgo: number | null) {
  const seeded = await seedScraper(db.pool, { slug });
  await db.pool.query(
    `UPDATE source SET stale_after_minutes = 60, critical_after_minutes = 240,
                       last_delivered_at = now() - $2::float8 * interval '1 minute'
      WHERE id = $1`,
    [seeded.sourceId, deliveredMinutesAgo],
  );
  sourceIds[slug] = seeded.sourceId;
  return seeded;
}

beforeAll(async () => {
  await seedSource('fresh', 10);
  const stale = await seedSource('stale', 120);
  // Runs that ended since, well or not, delivered nothing that passed the checks: only delivery counts.
  await insertRun(db.pool, { scraperId: stale.scraperId, status: 'SUCCESS', queuedMinutesAgo: 6, completedMinutesAgo: 5 });
  await insertRun(db.pool, { scraperId: stale.scraperId, status: 'WARNING', queuedMinutesAgo: 4, completedMinutesAgo: 3 });
  await insertRun(db.pool, { scraperId: stale.scraperId, status: 'ERROR', queuedMinutesAgo: 3, completedMinutesAgo: 1 });
  await insertRun(db.pool, { scraperId: stale.scraperId, status: 'RUNNING', queuedMinutesAgo: 1 });
  await seedSource('critical', 300);
  const never = await seedSource('never', null);
  await insertRun(db.pool, { scraperId: never.scraperId, status: 'SUCCESS', queuedMinutesAgo: 5, completedMinutesAgo: 4 });
});

describe('freshness', () => {
  it('judges the time since each source last delivered against its own thresholds', async () => {
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
    expect(Math.abs(Date.now() - Date.parse(bySlug.critical.lastDeliveredAt) - 300 * 60_000)).toBeLessThan(120_000);
  });

  it('keeps lastSuccessAt as the same value as lastDeliveredAt', async () => {
    const { freshness } = await server.admin.data(FRESHNESS);
    for (const f of freshness) expect(f.lastSuccessAt).toBe(f.lastDeliveredAt);
  });

  it('calls a source that never delivered CRITICAL, whatever its runs ended as', async () => {
    const { freshness } = await server.admin.data(FRESHNESS, { sourceId: String(sourceIds.never) });
    expect(freshness).toEqual([
      { source: { id: String(sourceIds.never), name: 'never source' }, lastDeliveredAt: null, lastSuccessAt: null, ageSeconds: null, status: 'CRITICAL' },
    ]);
  });

  it('follows a change of thresholds at once', async () => {
    await db.pool.query(`UPDATE source SET stale_after_minutes = 600, critical_after_minutes = 1200 WHERE id = $1`, [sourceIds.critical]);
    const { freshness } = await server.admin.data(FRESHNESS, { sourceId: String(sourceIds.critical) });
    expect(freshness[0].status).toBe('FRESH');
  });

  it('gives the same statuses to a caller inside a transaction, for the periodic alert pass', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const rows = await sourceFreshness(client, null);
      await client.query('COMMIT');
      const { freshness } = await server.admin.data(FRESHNESS);
      expect(rows.map((r) => [r.sourceId, r.status])).toEqual(freshness.map((f: any) => [Number(f.source.id), f.status]));
    } finally {
      client.release();
    }
  });
});
