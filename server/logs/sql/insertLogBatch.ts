/**
 * The ingest hot path in one statement: reserve the run's next seqs under its row lock, record the
 * batch id, store every line with one INSERT … SELECT, and NOTIFY the seq range, which PostgreSQL
 * delivers at commit in commit order. A batch id seen before updates nothing.
 *
 * The lines travel as one JSON parameter: JSON.stringify is native, where three text arrays cost
 * an escaping pass per element in the driver and a copy of every line into them (measured: the
 * arrays were a fifth of the server's CPU per stored line).
 */
import type pg from 'pg';
import type { LogLevelName } from '../../../contract/logLevels.ts';

/** A line as stored; without a timestamp, the time of receipt (the transaction's) stands in. */
export type LogLineInput = { level: LogLevelName; message: string; timestamp?: Date | null };
export type StoredRange = { fromSeq: number; toSeq: number };
/** A stored batch: its seqs and its received_at, which is also the timestamp of a line sent without one. */
export type StoredBatch = StoredRange & { receivedAt: Date };

/**
 * A stored batch's announcement on `job_logs`: its run and seq range, no lines (readers read them).
 * On the PostgreSQL bus the insert NOTIFYs it; on another bus the caller publishes it after commit.
 */
export const JOB_LOGS_CHANNEL = 'job_logs';

export type LogAnnouncement = StoredRange & { runId: number };

export const logAnnouncementPayload = ({ runId, fromSeq, toSeq }: LogAnnouncement) => `${runId}:${fromSeq}:${toSeq}`;

/** The batch a payload names, or null when it is malformed. */
export function parseLogAnnouncement(payload: string): LogAnnouncement | null {
  const [runText, fromText, toText] = payload.split(':');
  const announcement = { runId: Number(runText), fromSeq: Number(fromText), toSeq: Number(toText) };
  return Number.isInteger(announcement.runId) && Number.isInteger(announcement.fromSeq) && Number.isInteger(announcement.toSeq) ? announcement : null;
}

const INSERT_LOG_BATCH = `
WITH reserved AS (
  UPDATE run
     SET last_seq = last_seq + $3,
         debug_count = debug_count + $5,
         info_count = info_count + $6,
         warning_count = warning_count + $7,
         error_count = error_count + $8,
         critical_count = critical_count + $9,
         lease_expires_at = now() + make_interval(secs => $10)
   WHERE id = $1
     AND status = 'RUNNING'
     AND ($11::int IS NULL OR runner_id = $11)
     AND NOT EXISTS (SELECT 1 FROM log_batch WHERE run_id = $1 AND batch_id = $2)
  RETURNING last_seq
), batch AS (
  INSERT INTO log_batch (run_id, batch_id, from_seq, to_seq)
  SELECT $1, $2, last_seq - $3 + 1, last_seq FROM reserved
  RETURNING from_seq, to_seq
), lines AS (
  INSERT INTO log_line (run_id, seq, level, message, "timestamp")
  SELECT $1, batch.from_seq + u.ord - 1, u.level, u.message, coalesce(u.ts, now())
    FROM batch,
         ROWS FROM (json_to_recordset($4::json) AS (level "LogLevel", message text, "timestamp" timestamptz))
           WITH ORDINALITY AS u(level, message, ts, ord)
)
SELECT from_seq AS "fromSeq", to_seq AS "toSeq", now()::timestamptz(3) AS "receivedAt",
       CASE WHEN $12::boolean THEN pg_notify('${JOB_LOGS_CHANNEL}', $1 || ':' || from_seq || ':' || to_seq) END AS notified
  FROM batch`;

/**
 * Stores the batch and returns its seq range, or null when nothing was stored: the batch id was
 * stored before, or the run does not exist, is not RUNNING, or (with runnerId) is not that runner's.
 * The run's row lock orders this against the statements that end a run: a batch is stored before
 * the run ends or not at all. notify false (a bus other than NOTIFY) leaves the announcement to the
 * caller, after commit.
 */
export async function insertLogBatch(
  pool: pg.Pool,
  params: {
    runId: number;
    batchId: string;
    lines: LogLineInput[];
    runnerId: number | null;
    leaseSeconds: number;
    notify?: boolean;
  },
): Promise<StoredBatch | null> {
  const { runId, batchId, lines, runnerId, leaseSeconds, notify = true } = params;
  const counts = { DEBUG: 0, INFO: 0, WARNING: 0, ERROR: 0, CRITICAL: 0 };
  for (const line of lines) counts[line.level]++;
  const { rows } = await pool.query<StoredBatch>({
    name: 'insert_log_batch',
    text: INSERT_LOG_BATCH,
    values: [
      runId,
      batchId,
      lines.length,
      JSON.stringify(lines),
      counts.DEBUG,
      counts.INFO,
      counts.WARNING,
      counts.ERROR,
      counts.CRITICAL,
      leaseSeconds,
      runnerId,
      notify,
    ],
  });
  const row = rows[0];
  // The row also holds pg_notify's (empty) result, selected only so that the NOTIFY runs.
  return row ? { fromSeq: row.fromSeq, toSeq: row.toSeq, receivedAt: row.receivedAt } : null;
}

/** A batch stored before, of a run held by runnerId. */
export async function findLogBatch(pool: pg.Pool, runId: number, batchId: string, runnerId: number): Promise<StoredRange | null> {
  const { rows } = await pool.query<StoredRange>({
    name: 'find_log_batch',
    text: `SELECT b.from_seq AS "fromSeq", b.to_seq AS "toSeq"
             FROM log_batch b JOIN run ON run.id = b.run_id AND run.runner_id = $3
            WHERE b.run_id = $1 AND b.batch_id = $2`,
    values: [runId, batchId, runnerId],
  });
  return rows[0] ?? null;
}
