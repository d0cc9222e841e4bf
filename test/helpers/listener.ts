/** The server's LISTEN connection ('scrapedeck-listener'), seen and cut from the database side. */
import pg from 'pg';
import { inject } from 'vitest';
import { tolerateConnectionLoss } from './connectionLoss.ts';
import type { TestDatabase } from './database.ts';
import { waitUntil } from './waitUntil.ts';

const databaseName = (db: TestDatabase) => new URL(db.url).pathname.slice(1);

/** How many LISTEN connections the server instances hold on the test database. */
export async function listenerBackends(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'scrapedeck-listener'`,
    [databaseName(db)],
  );
  return rows[0].n;
}

/**
 * Kills every LISTEN connection on the test database and keeps new ones out while `whileAway` writes
 * through a connection opened beforehand: what it commits is not heard by any server instance, only
 * the tables keep it. Connections are allowed again afterwards; the instances then reconnect.
 */
export async function withListenersCut<T>(db: TestDatabase, whileAway: (writer: pg.Pool) => Promise<T>): Promise<T> {
  const writer = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
  await writer.connect();
  const admin = tolerateConnectionLoss(new pg.Client({ connectionString: inject('adminDatabaseUrl') }));
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${databaseName(db)} WITH ALLOW_CONNECTIONS false`);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'scrapedeck-listener'`,
      [databaseName(db)],
    );
    await waitUntil(async () => (await listenerBackends(db)) === 0, 'the LISTEN connections to end');
    // The SQL helpers take a pool; one client answers the same query() calls.
    return await whileAway(writer as unknown as pg.Pool);
  } finally {
    await admin.query(`ALTER DATABASE ${databaseName(db)} WITH ALLOW_CONNECTIONS true`);
    await admin.end();
    await writer.end();
  }
}
