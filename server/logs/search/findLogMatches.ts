/**
 * The SQL of a log search across runs: lines whose message contains the query (case-insensitively,
 * every character literal), newest first by (run_id, seq), after a keyset position. It runs in a
 * transaction of its own with SET LOCAL statement_timeout, on the search pool: a search that runs
 * too long is cancelled by PostgreSQL and its connection goes straight back to the pool.
 */
import type pg from 'pg';
import type { LogLevelName } from '../../../contract/logLevels.ts';
import { withTransaction } from '../../db/withTransaction.ts';
import { LogSearchTimeoutError } from './errors.ts';
import { containsPattern } from './likePattern.ts';
import type { SearchPosition } from './searchCursor.ts';

export type LogMatchRow = {
  runId: number;
  seq: number;
  scraperId: number;
  level: LogLevelName;
  message: string;
  timestamp: Date;
  receivedAt: Date;
};

export type LogSearch = {
  query: string;
  scraperId: number | null;
  /** The levels kept (null: every level). */
  levels: LogLevelName[] | null;
  /** By the line's received_at, the server's clock: since inclusive, until exclusive. */
  since: Date | null;
  until: Date | null;
  after: SearchPosition | null;
  limit: number;
};

/** PostgreSQL's query_canceled: here, the statement timeout. */
const QUERY_CANCELED = '57014';

export async function findLogMatches(pool: pg.Pool, timeoutSeconds: number, search: LogSearch): Promise<LogMatchRow[]> {
  // Only the conditions a search has are written out, so that each shape is planned for what it filters.
  const values: unknown[] = [containsPattern(search.query)];
  const param = (value: unknown) => `$${values.push(value)}`;
  const where = [`l.message ILIKE $1 ESCAPE '\\'`];
  if (search.scraperId !== null) where.push(`r.scraper_id = ${param(search.scraperId)}`);
  if (search.levels !== null) where.push(`l.level = ANY(${param(search.levels)}::"LogLevel"[])`);
  if (search.since !== null) where.push(`l.received_at >= ${param(search.since)}`);
  if (search.until !== null) where.push(`l.received_at < ${param(search.until)}`);
  if (search.after !== null) where.push(`(l.run_id, l.seq) < (${param(search.after.runId)}, ${param(search.after.seq)})`);
  const text = `SELECT l.run_id AS "runId", l.seq, r.scraper_id AS "scraperId", l.level, l.message, l."timestamp", l.received_at AS "receivedAt"
                  FROM log_line l JOIN run r ON r.id = l.run_id
                 WHERE ${where.join(' AND ')}
                 ORDER BY l.run_id DESC, l.seq DESC
                 LIMIT ${param(search.limit)}`;
  try {
    return await withTransaction(pool, async (client) => {
      // SET takes no parameters; the value is a number from the configuration, in milliseconds.
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutSeconds * 1000))}`);
      const { rows } = await client.query<LogMatchRow>(text, values);
      return rows;
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === QUERY_CANCELED) throw new LogSearchTimeoutError(timeoutSeconds);
    throw error;
  }
}
