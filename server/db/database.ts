/** Opens Scrapedeck's database: the pg pool for hot-path SQL and the Prisma client over that same pool. */
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';
import type { Logger } from '../logger.ts';

export type Database = {
  url: string;
  pool: pg.Pool;
  prisma: PrismaClient;
  /**
   * Whether writes NOTIFY their live changes (stored log lines, run transitions) inside their own
   * transaction, delivered at commit in commit order: true when PostgreSQL is the live bus. When
   * another bus is, the changes are published on it after commit instead. Fixed when the process
   * starts, by the bus it chose.
   */
  notifyInTransaction: boolean;
  close(): Promise<void>;
};

// PostgreSQL int8 and numeric arrive as strings by default; counts in this product fit a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export function openDatabase(url: string, logger: Logger, options: { max?: number; notifyInTransaction?: boolean } = {}): Database {
  // A database that does not answer makes a request fail within seconds (503, retryable) instead of hang.
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 20, application_name: 'scrapedeck', connectionTimeoutMillis: 10_000 });
  let closing = false;
  // An idle client that loses its server (restart, failover) emits here; the pool drops it and reconnects.
  // pool.end() resolves before every socket is gone, so a server stopped right after (the embedded one
  // on shutdown) can still end a closing client: that is expected, not a lost connection.
  pool.on('error', (error) => {
    if (closing) logger.debug({ err: error }, 'database connection ended while closing');
    else logger.warn({ err: error }, 'idle database connection lost');
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    url,
    pool,
    prisma,
    notifyInTransaction: options.notifyInTransaction ?? true,
    async close() {
      closing = true;
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
