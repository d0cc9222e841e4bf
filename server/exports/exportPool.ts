/**
 * The database connections exports stream from: a small pool of their own, so that however many
 * exports run and however long, appendLogs, claims and the API keep every connection of the main
 * pool. An export holds one connection for as long as its client reads.
 */
import pg from 'pg';
import type { Logger } from '../logger.ts';

export function openExportPool(url: string, size: number, logger: Logger): { pool: pg.Pool; close(): Promise<void> } {
  // An export waits this long for a connection when all of them stream, then is answered 503.
  const pool = new pg.Pool({ connectionString: url, max: size, application_name: 'scrapedeck-export', connectionTimeoutMillis: 10_000 });
  let closing = false;
  pool.on('error', (error) => {
    if (closing) logger.debug({ err: error }, 'export database connection ended while closing');
    else logger.warn({ err: error }, 'idle export database connection lost');
  });
  return {
    pool,
    async close() {
      closing = true;
      await pool.end();
    },
  };
}
