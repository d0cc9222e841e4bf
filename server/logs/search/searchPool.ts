/**
 * The database connections log searches run on: a small pool of their own, so that however many
 * searches run and however slow, appendLogs, claims and the API keep every connection of the main
 * pool. Each search holds one connection for at most its statement timeout.
 */
import pg from 'pg';
import type { Logger } from '../../logger.ts';

export type LogSearchPool = { pool: pg.Pool; timeoutSeconds: number; close(): Promise<void> };

export function openLogSearchPool(url: string, options: { size: number; timeoutSeconds: number }, logger: Logger): LogSearchPool {
  // Searches beyond the pool wait this long for a connection, then fail like any busy database.
  const pool = new pg.Pool({ connectionString: url, max: options.size, application_name: 'scrapedeck-log-search', connectionTimeoutMillis: 10_000 });
  let closing = false;
  pool.on('error', (error) => {
    if (closing) logger.debug({ err: error }, 'log search database connection ended while closing');
    else logger.warn({ err: error }, 'idle log search database connection lost');
  });
  return {
    pool,
    timeoutSeconds: options.timeoutSeconds,
    async close() {
      closing = true;
      await pool.end();
    },
  };
}
