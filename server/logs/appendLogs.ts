/** Stores a runner's batch of log lines exactly once, whatever happens to the request in between. */
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/database.ts';
import { NotAuthorizedError } from '../graphql/builder.ts';
import { NotFoundError } from '../graphql/errors.ts';
import { MAX_LINES_PER_BATCH, storableMessage } from './limits.ts';
import { findLogBatch, insertLogBatch, type LogLineInput, type StoredRange } from './sql/insertLogBatch.ts';

export class BatchTooLargeError extends Error {
  readonly limit = MAX_LINES_PER_BATCH;
  constructor(readonly received: number) {
    super(`A batch holds at most ${MAX_LINES_PER_BATCH} lines; this one has ${received}. Split it.`);
    this.name = 'BatchTooLargeError';
  }
}

export type AppendResult = StoredRange & { duplicate: boolean };

const UNIQUE_VIOLATION = '23505';

export async function appendLogs(
  db: Database,
  principal: Principal,
  params: { runId: number; batchId: string; lines: LogLineInput[]; leaseSeconds: number },
): Promise<AppendResult> {
  if (principal.kind !== 'runner' && principal.kind !== 'admin') throw new NotAuthorizedError('Only runners append logs');
  if (params.lines.length > MAX_LINES_PER_BATCH) throw new BatchTooLargeError(params.lines.length);
  const lines = params.lines.map((line) => ({ ...line, message: storableMessage(line.message) }));
  const runnerId = principal.kind === 'runner' ? principal.runnerId : null;
  try {
    const stored = await insertLogBatch(db.pool, { ...params, lines, runnerId });
    if (stored) return { ...stored, duplicate: false };
  } catch (error) {
    // Two deliveries of one batch at the same moment: the later one loses on log_batch's key.
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
  }
  const earlier = await findLogBatch(db.pool, params.runId, params.batchId);
  if (earlier) return { ...earlier, duplicate: true };
  // Nothing stored and no earlier batch: the run is missing or belongs to another runner.
  throw new NotFoundError('Run', String(params.runId));
}
