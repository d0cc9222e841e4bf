/** A fresh, migrated database per test file on the run's PostgreSQL, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { migrate } from '../../server/db/migrate.ts';
import { waitUntil } from './waitUntil.ts';
import { tolerateConnectionLoss } from './connectionLoss.ts';
import { startedLater } from './startedLater.ts';

export type TestDatabase = { url: string; pool: pg.Pool; drop(): Promise<void> };

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `scrapedeck_test_${randomBytes(6).toString('hex')}`;
  const admin = tolerateConnectionLoss(new pg.Client({ connectionString: adminUrl }));
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = tolerateConnectionLoss(new pg.Pool({ connectionString: url.toString(), max: 5 }));
  if (options.migrate !== false) await migrate(pool);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const client = tolerateConnectionLoss(new pg.Client({ connectionString: adminUrl }));
      await client.connect();
      // pool.end() resolves before its clients' sockets close: let them close by themselves (a few
      // seconds at most), then FORCE whatever else is left (a server process killed mid-test).
      const poolSessions = async () =>
        (await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = ''`, [name])).rows[0].n as number;
      await waitUntil(async () => (await poolSessions()) === 0, 'the pool sessions to close', 5_000).catch(() => undefined);
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * A fresh database for the whole test file: registers the beforeAll that creates it and the afterAll that
 * drops it. Register it first: hooks run in order of registration and afterAll ones in reverse, so the
 * file's own hooks then find it created and are done with it before it is dropped.
 */
export function useTestDatabase(): TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  return startedLater('database', () => db);
}
