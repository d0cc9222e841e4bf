/** Stores a runner's batch of log lines exactly once, whatever happens to the request in between. */
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/database.ts';
import { NotAuthorizedError } from '../graphql/builder.ts';
import { NotFoundError } from '../graphql/errors.ts';
import { OversizeBatchError } from '../graphql/oversizeBatchError.ts';
import { MAX_LINES_PER_BATCH, storableLines } from './limits.ts';
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

export async function appendLogs(
  db: Database,
  principal: Principal,
  params: { runId: number; batchId: string; lines: LogLineInput[]; leaseSeconds: number },
  live: LiveAnnouncer,
): Promise<AppendResult> {
  if (principal.kind !== 'runner' && principal.kind !== 'admin') throw new NotAuthorizedError('Only runners append logs');
  if (params.lines.length > MAX_LINES_PER_BATCH) throw new BatchTooLargeError(params.lines.length);
  const lines = storableLines(params.lines);
  const runnerId = principal.kind === 'runner' ? principal.runnerId : null;
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
  const earlier = await findLogBatch(db.pool, params.runId, params.batchId);
  if (earlier) {
    // Announced again: the first announcement may be what the failed attempt never got to send.
    live.announce(params.runId, earlier);
    return { ...earlier, duplicate: true };
  }
  // Nothing stored and no earlier batch: the run is missing or belongs to another runner.
  throw new NotFoundError('Run', String(params.runId));
}
