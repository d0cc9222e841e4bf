/** Stores a runner's batch of log lines exactly once, whatever happens to the request in between. */
import type { Database } from '../db/database.ts';
import { OversizeBatchError } from '../graphql/oversizeBatchError.ts';
import { explainRefusal } from '../runs/explainRefusal.ts';
import { MAX_LINES_PER_BATCH } from '../../contract/limits.ts';
import { storableLines } from './limits.ts';
import { findLogBatch, insertLogBatch, type LogLineInput, type StoredBatch, type StoredRange } from './sql/insertLogBatch.ts';

export class BatchTooLargeError extends OversizeBatchError {
  constructor(received: number) {
    super('BatchTooLargeError', 'lines', MAX_LINES_PER_BATCH, received);
  }
}

export type AppendResult = StoredRange & { duplicate: boolean };

/** How a stored batch reaches live subscribers: NOTIFY inside the insert, or an announcement after commit. */
export type LiveAnnouncer = {
  readonly announcesInTransaction: boolean;
  announce(runId: number, range: StoredRange): void;
  /** A committed batch of a run, handed to this instance's own subscribers. */
  stored(runId: number, batch: StoredBatch, lines: LogLineInput[]): void;
};

const UNIQUE_VIOLATION = '23505';

/**
 * A new batch is stored only while the run is RUNNING and held by runnerId; a batch stored before
 * gets its first answer whatever the run's state since (a retry whose answer was lost).
 */
export async function appendLogs(
  db: Database,
  runnerId: number,
  params: { runId: number; batchId: string; lines: LogLineInput[]; leaseSeconds: number },
  live: LiveAnnouncer,
): Promise<AppendResult> {
  if (params.lines.length > MAX_LINES_PER_BATCH) throw new BatchTooLargeError(params.lines.length);
  const lines = storableLines(params.lines);
  try {
    const stored = await insertLogBatch(db.pool, { ...params, lines, runnerId, notify: live.announcesInTransaction });
    if (stored) {
      live.announce(params.runId, stored);
      live.stored(params.runId, stored, lines);
      return { fromSeq: stored.fromSeq, toSeq: stored.toSeq, duplicate: false };
    }
  } catch (error) {
    // Two deliveries of one batch at the same moment: the later one loses on log_batch's key.
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
  }
  const earlier = await findLogBatch(db.pool, params.runId, params.batchId, runnerId);
  if (earlier) {
    // Announced again: the first announcement may be what the failed attempt never got to send.
    live.announce(params.runId, earlier);
    return { ...earlier, duplicate: true };
  }
  // Nothing stored and no earlier batch: the run is missing, another runner's, or no longer RUNNING.
  return explainRefusal(db, runnerId, params.runId, 'RUNNING');
}
