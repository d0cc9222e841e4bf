/**
 * The ingest hot path in one statement: reserve the run's next seqs under its row lock, record the
 * batch ids, store every line with one INSERT … SELECT, and NOTIFY the seq range, which PostgreSQL
 * delivers at commit in commit order. A batch id seen before stores nothing.
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

const INSERT_LOG_BATCHES = `
WITH fresh AS (
  SELECT b.batch_id, b.lines, b.n, b.d, b.i, b.w, b.e, b.c, b.ord
    FROM ROWS FROM (json_to_recordset($2::json) AS (batch_id text, lines json, n int, d int, i int, w int, e int, c int))
           WITH ORDINALITY AS b(batch_id, lines, n, d, i, w, e, c, ord)
   WHERE NOT EXISTS (SELECT 1 FROM log_batch WHERE run_id = $1 AND batch_id = b.batch_id)
), placed AS (
  SELECT fresh.*, (sum(n) OVER (ORDER BY ord) - n)::int AS before FROM fresh
), totals AS (
  SELECT sum(n)::int AS n, sum(d)::int AS d, sum(i)::int AS i, sum(w)::int AS w, sum(e)::int AS e, sum(c)::int AS c
    FROM fresh HAVING count(*) > 0
), reserved AS (
  UPDATE run
     SET last_seq = run.last_seq + totals.n,
         debug_count = debug_count + totals.d,
         info_count = info_count + totals.i,
         warning_count = warning_count + totals.w,
         error_count = error_count + totals.e,
         critical_count = critical_count + totals.c,
         lease_expires_at = now() + make_interval(secs => $3)
    FROM totals
   WHERE run.id = $1
     AND run.status = 'RUNNING'
     AND ($4::int IS NULL OR run.runner_id = $4)
  RETURNING run.last_seq - totals.n AS base, totals.n AS n
), batch AS (
  INSERT INTO log_batch (run_id, batch_id, from_seq, to_seq)
  SELECT $1, placed.batch_id, reserved.base + placed.before + 1, reserved.base + placed.before + placed.n
    FROM reserved, placed
  RETURNING batch_id, from_seq, to_seq
), lines AS (
  INSERT INTO log_line (run_id, seq, level, message, "timestamp")
  SELECT $1, reserved.base + placed.before + u.ord, u.level, u.message, coalesce(u.ts, now())
    FROM reserved, placed,
         ROWS FROM (json_to_recordset(placed.lines) AS (level "LogLevel", message text, "timestamp" timestamptz))
           WITH ORDINALITY AS u(level, message, ts, ord)
), announced AS (
  SELECT CASE WHEN $5::boolean THEN pg_notify('${JOB_LOGS_CHANNEL}', $1 || ':' || (base + 1) || ':' || (base + n)) END AS notified
    FROM reserved
)
SELECT batch_id AS "batchId", from_seq AS "fromSeq", to_seq AS "toSeq", now()::timestamptz(3) AS "receivedAt",
       (SELECT count(*) FROM announced) AS notified
  FROM batch`;

/** One batch of a group stored together. */
export type BatchInput = { batchId: string; lines: LogLineInput[] };

/**
 * Stores several batches of one run in one statement, in the order given, with one seq
 * reservation, one commit and one announcement of the whole range: what keeps a run whose batches
 * come faster than one statement takes from turning into a queue. Returns the batches stored, by
 * id; one missing was stored before, or nothing was stored because the run does not exist, is not
 * RUNNING, or (with runnerId) is not that runner's. Batch ids must differ within the group.
 *
 * The run's row lock orders this against the statements that end a run: a batch is stored before
 * the run ends or not at all. notify false (a bus other than NOTIFY) leaves the announcement to the
 * caller, after commit.
 */
export async function insertLogBatches(
  pool: pg.Pool,
  params: { runId: number; batches: BatchInput[]; runnerId: number | null; leaseSeconds: number; notify?: boolean },
): Promise<Map<string, StoredBatch>> {
  const { runId, batches, runnerId, leaseSeconds, notify = true } = params;
  const input = batches.map(({ batchId, lines }) => {
    const counts = { DEBUG: 0, INFO: 0, WARNING: 0, ERROR: 0, CRITICAL: 0 };
    for (const line of lines) counts[line.level]++;
    return { batch_id: batchId, lines, n: lines.length, d: counts.DEBUG, i: counts.INFO, w: counts.WARNING, e: counts.ERROR, c: counts.CRITICAL };
  });
  const { rows } = await pool.query<StoredBatch & { batchId: string }>({
    name: 'insert_log_batches',
    text: INSERT_LOG_BATCHES,
    values: [runId, JSON.stringify(input), leaseSeconds, runnerId, notify],
  });
  // Each row also holds the announcement's (empty) result, selected only so that the NOTIFY runs.
  return new Map(rows.map((row) => [row.batchId, { fromSeq: row.fromSeq, toSeq: row.toSeq, receivedAt: row.receivedAt }]));
}

/** One batch alone: its seq range, or null when nothing was stored (see insertLogBatches). */
export async function insertLogBatch(
  pool: pg.Pool,
  params: { runId: number; batchId: string; lines: LogLineInput[]; runnerId: number | null; leaseSeconds: number; notify?: boolean },
): Promise<StoredBatch | null> {
  const { batchId, lines, ...rest } = params;
  return (await insertLogBatches(pool, { ...rest, batches: [{ batchId, lines }] })).get(batchId) ?? null;
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
