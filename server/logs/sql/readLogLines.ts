/** Reads a run's stored lines by seq: the one read behind replay, live fan-out and history pages. */
import type pg from 'pg';
import type { LogLevelName } from '../../../contract/logLevels.ts';

/** A stored line. Its instants are Dates, or as read here the same instants as ISO text (see ISO_UTC). */
export type LogLineRow = {
  runId: number;
  seq: number;
  level: LogLevelName;
  message: string;
  timestamp: Date | string;
  receivedAt: Date | string;
};

/**
 * An instant as the API prints it (Date#toISOString, 2026-12-06T16:26:59.837Z), printed by
 * PostgreSQL: a replay of a million lines would otherwise parse two million dates in the server
 * only to print them again (the columns are timestamptz(3), so milliseconds are exact).
 */
const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const COLUMNS = `run_id AS "runId", seq, level, message, ${isoUtc('"timestamp"')} AS "timestamp", ${isoUtc('received_at')} AS "receivedAt"`;

/**
 * What one read of a run's lines may hold in message bytes: 5000 lines of 64 KiB would be 330 MB in
 * one answer. The first line always comes, whatever its size.
 */
const READ_BYTES = 8 * 1024 * 1024;

/**
 * Lines with afterSeq < seq <= throughSeq, oldest first: at most limit of them, and no more than
 * READ_BYTES of messages (counted in PostgreSQL, which then sends only those). more: the read may
 * have stopped at a bound, and the lines after the last one are to be read next.
 */
export async function readLogLines(
  pool: pg.Pool,
  runId: number,
  afterSeq: number,
  throughSeq: number,
  limit: number,
): Promise<{ rows: LogLineRow[]; more: boolean }> {
  const { rows } = await pool.query<LogLineRow>({
    name: 'read_log_lines',
    text: `SELECT ${COLUMNS}
             FROM (SELECT *, sum(octet_length(message)) OVER (ORDER BY seq) - octet_length(message) AS bytes_before
                     FROM (SELECT * FROM log_line
                            WHERE run_id = $1 AND seq > $2 AND seq <= $3
                            ORDER BY seq LIMIT $4) page) counted
            WHERE bytes_before < $5
            ORDER BY seq`,
    values: [runId, afterSeq, throughSeq, limit, READ_BYTES],
  });
  return { rows, more: rows.length === limit || mayHaveReachedByteBound(rows) };
}

/**
 * Whether the messages may add up to READ_BYTES: a character is at most 3 bytes of UTF-8 per UTF-16
 * unit, so below a third of it they cannot. Rather one read too many than a line left unread.
 */
function mayHaveReachedByteBound(rows: LogLineRow[]): boolean {
  let units = 0;
  for (const row of rows) units += row.message.length;
  return units * 3 >= READ_BYTES;
}

/**
 * Which lines the history filters keep, over parameters of type LogLevel[] (null: every level) and
 * text (null: any message): the one definition the history pages and their count share.
 */
export const logLineFilterSql = (levelsParam: string, containsParam: string) =>
  `(${levelsParam}::"LogLevel"[] IS NULL OR level = ANY(${levelsParam})) AND (${containsParam}::text IS NULL OR strpos(lower(message), lower(${containsParam})) > 0)`;

/** A page of history with the filters a person uses to look for something. */
export async function searchLogLines(
  pool: pg.Pool,
  params: { runId: number; afterSeq: number; limit: number; minLevels: LogLevelName[] | null; contains: string | null },
): Promise<LogLineRow[]> {
  const { rows } = await pool.query<LogLineRow>({
    name: 'search_log_lines',
    text: `SELECT ${COLUMNS} FROM log_line
            WHERE run_id = $1 AND seq > $2 AND ${logLineFilterSql('$3', '$4')}
            ORDER BY seq LIMIT $5`,
    values: [params.runId, params.afterSeq, params.minLevels, params.contains, params.limit],
  });
  return rows;
}
