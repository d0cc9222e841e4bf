/** Stores a runner's batch of log lines exactly once, whatever happens to the request in between. */
import type { Database } from '../db/database.ts';
import { UNIQUE_VIOLATION, type RunLogWriter } from './runLogWriter.ts';
import { explainRefusal } from '../runs/explainRefusal.ts';
import { MAX_LINES_PER_BATCH } from '../../contract/limits.ts';
import { BatchTooLargeError } from './errors.ts';
import { storableLines } from './storableLines.ts';
import { findLogBatch, type LogLineInput, type StoredRange } from './sql/insertLogBatch.ts';

/**
 * What became of a batch: its seq range, and for a batch stored now (not a retry of one stored
 * before) the lines as stored and their time of receipt, which this instance's subscribers can take
 * without reading them back.
 */
export type AppendResult = StoredRange & {
  runId: number;
  duplicate: boolean;
  stored: { lines: LogLineInput[]; receivedAt: Date } | null;
};

/**
 * A new batch is stored only while the run is RUNNING and held by runnerId; a batch stored before
 * gets its first answer whatever the run's state since (a retry whose answer was lost). On the
 * PostgreSQL bus the insert NOTIFYs its seq range at commit; otherwise the caller announces it.
 */
export async function appendLogs(
  db: Database,
  writer: RunLogWriter,
  runnerId: number,
  params: { runId: number; batchId: string; lines: LogLineInput[]; leaseSeconds: number },
): Promise<AppendResult> {
  if (params.lines.length > MAX_LINES_PER_BATCH) throw new BatchTooLargeError(params.lines.length);
  const { runId } = params;
  const lines = storableLines(params.lines);
  try {
    const stored = await writer.store({ ...params, lines, runnerId });
    if (stored) {
      return { runId, fromSeq: stored.fromSeq, toSeq: stored.toSeq, duplicate: false, stored: { lines, receivedAt: stored.receivedAt } };
    }
  } catch (error) {
    // Two deliveries of one batch at the same moment: the later one loses on log_batch's key.
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
  }
  const earlier = await findLogBatch(db.pool, runId, params.batchId, runnerId);
  if (earlier) return { runId, fromSeq: earlier.fromSeq, toSeq: earlier.toSeq, duplicate: true, stored: null };
  // Nothing stored and no earlier batch: the run is missing, another runner's, or no longer RUNNING.
  return explainRefusal(db, runnerId, runId, 'RUNNING');
}
