/**
 * Turns "no row changed" into the reason a caller can act on: the run does not exist for it, or it
 * is in another state than the operation needs.
 */
import type { Database } from '../db/database.ts';
import { NotFoundError } from '../domainErrors.ts';
import { RunStateError } from './errors.ts';

/** runnerId: the calling runner, which learns nothing about runs that are not its own; null for an admin. */
export async function explainRefusal(db: Database, runnerId: number | null, runId: number, expected: string): Promise<never> {
  const run = await db.prisma.run.findUnique({ where: { id: runId }, select: { status: true, runnerId: true } });
  if (!run || (runnerId !== null && run.runnerId !== runnerId)) throw new NotFoundError('Run', String(runId));
  throw new RunStateError(runId, run.status, expected);
}
