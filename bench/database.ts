/** A fresh embedded PostgreSQL for one benchmark run, thrown away at the end, and the settling between phases. */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../server/db/embeddedPostgres.ts';
import { createLogger } from '../server/logger.ts';
import { reportConnectionErrors } from './connectionErrors.ts';

export type BenchDatabase = { url: string; pool: pg.Pool; stop(): Promise<void> };

export async function startBenchDatabase(): Promise<BenchDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-bench-'));
  // mkdtemp makes the folder private; PostgreSQL runs as its own user and must reach its data inside.
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres(dir, createLogger('silent'));
  const pool = reportConnectionErrors(new pg.Pool({ connectionString: embedded.url, max: 8, application_name: 'scrapedeck-bench' }), 'the benchmark pool');
  // Checkpoints forced by a small WAL budget would land in whichever phase happens to be running.
  await pool.query(`ALTER SYSTEM SET max_wal_size = '8GB'`);
  await pool.query(`ALTER SYSTEM SET checkpoint_timeout = '30min'`);
  await pool.query('SELECT pg_reload_conf()');
  return {
    url: embedded.url,
    pool,
    async stop() {
      // pool.end() resolves before its sockets close: PostgreSQL stopping next may still end one.
      pool.closing();
      await pool.end();
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Lets the database catch up between phases: autovacuum of millions of fresh rows and a checkpoint
 * would otherwise land in the middle of the next phase's latency figures.
 */
export async function settle(pool: pg.Pool): Promise<void> {
  await pool.query('VACUUM ANALYZE');
  await pool.query('CHECKPOINT');
}
