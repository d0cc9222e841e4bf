/**
 * The trends migration fills the rollups from the runs an install already has: scraper days exactly
 * as the server would have kept them, source days from each delivery's quality summary.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../../server/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { generateHistory, recomputedScraperDays, recomputedSourceDays, storedScraperDays, storedSourceDays } from '../helpers/trends.ts';

const TRENDS_MIGRATION = '20261207120000_trends';

let db: TestDatabase;
let before: string;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  before = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-migrations-'));
  for (const name of await readdir(MIGRATIONS_DIR)) {
    if (name < TRENDS_MIGRATION) await cp(path.join(MIGRATIONS_DIR, name), path.join(before, name), { recursive: true });
  }
  await migrate(db.pool, before);
  await generateHistory(db.pool, { seed: 2026, sources: 4, runs: 500, days: 30 });
  await migrate(db.pool);
});

afterAll(async () => {
  await db?.drop();
  if (before) await rm(before, { recursive: true, force: true });
});

describe('the trends migration', () => {
  it("fills every scraper's days from its ended runs, equal to a recomputation", async () => {
    const recomputed = await recomputedScraperDays(db.pool);
    expect(recomputed.length).toBeGreaterThan(100);
    expect(await storedScraperDays(db.pool)).toEqual(recomputed);
  });

  it("fills each source's days from its latest delivery; categories only where products still name their run", async () => {
    const recomputed = await recomputedSourceDays(db.pool);
    const stored = await storedSourceDays(db.pool);
    expect(stored.map(({ source_id, day, run_id, products, missing_brand, outliers }) => ({ source_id, day, run_id, products, missing_brand, outliers }))).toEqual(
      recomputed.map(({ categories: _c, ...row }) => row),
    );
    const latest = new Map<number, string>();
    for (const row of recomputed) if ((latest.get(row.source_id) ?? '') < row.day) latest.set(row.source_id, row.day);
    for (const [i, row] of stored.entries()) {
      expect(row.categories).toEqual(latest.get(row.source_id) === row.day ? recomputed[i]!.categories : {});
      expect(row.drift).toBeNull();
    }
  });
});
