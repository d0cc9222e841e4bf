/** Reads a run's stored lines by seq: the one read behind replay, live fan-out and history pages. */
import type pg from 'pg';
import type { LogLevelName } from '../limits.ts';

export type LogLineRow = {
  runId: number;
  seq: number;
  level: LogLevelName;
  message: string;
  timestamp: Date;
  receivedAt: Date;
};

const COLUMNS = `run_id AS "runId", seq, level, message, "timestamp", received_at AS "receivedAt"`;

/** Lines with afterSeq < seq <= throughSeq, oldest first, at most limit of them. */
export async function readLogLines(
  pool: pg.Pool,
  runId: number,
  afterSeq: number,
  throughSeq: number,
  limit: number,
): Promise<LogLineRow[]> {
  const { rows } = await pool.query<LogLineRow>({
    name: 'read_log_lines',
    text: `SELECT ${COLUMNS} FROM log_line
            WHERE run_id = $1 AND seq > $2 AND seq <= $3
            ORDER BY seq LIMIT $4`,
    values: [runId, afterSeq, throughSeq, limit],
  });
  return rows;
}

/** A page of history with the filters a person uses to look for something. */
export async function searchLogLines(
  pool: pg.Pool,
  params: { runId: number; afterSeq: number; limit: number; minLevels: LogLevelName[] | null; contains: string | null },
): Promise<LogLineRow[]> {
  const { rows } = await pool.query<LogLineRow>({
    name: 'search_log_lines',
    text: `SELECT ${COLUMNS} FROM log_line
            WHERE run_id = $1 AND seq > $2
              AND ($3::"LogLevel"[] IS NULL OR level = ANY($3))
              AND ($4::text IS NULL OR strpos(lower(message), lower($4)) > 0)
            ORDER BY seq LIMIT $5`,
    values: [params.runId, params.afterSeq, params.minLevels, params.contains, params.limit],
  });
  return rows;
}
