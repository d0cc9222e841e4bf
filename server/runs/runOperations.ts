/** What callers can do to runs: plain functions over the database, each checking who may do it. */
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/database.ts';
import { NotFoundError } from '../graphql/errors.ts';
import { NotAuthorizedError } from '../graphql/builder.ts';
import { claimRun } from './sql/claimRun.ts';
import { enqueueRun, type TriggerSource } from './sql/enqueueRun.ts';
import { extendLease } from './sql/extendLease.ts';
import { finishRun } from './sql/finishRun.ts';
import { RunStateError, ScraperDisabledError } from './errors.ts';

export async function triggerRun(db: Database, scraperId: number, triggeredBy: TriggerSource): Promise<number> {
  const scraper = await db.prisma.scraper.findUnique({ where: { id: scraperId }, select: { enabled: true } });
  if (!scraper) throw new NotFoundError('Scraper', String(scraperId));
  if (!scraper.enabled) throw new ScraperDisabledError(scraperId);
  return enqueueRun(db.pool, { scraperId, triggeredBy });
}

export async function claimNextRun(db: Database, principal: Principal, leaseSeconds: number): Promise<number | null> {
  if (principal.kind !== 'runner') throw new NotAuthorizedError('Only runners claim runs');
  return claimRun(db.pool, principal.runnerId, leaseSeconds);
}

export type RunResult = {
  status: 'SUCCESS' | 'WARNING' | 'ERROR';
  productsFound: number;
  productsProcessed: number;
  flagsCreated: number;
  errorMessage?: string | null;
  errorType?: string | null;
};

export async function completeRun(db: Database, principal: Principal, runId: number, result: RunResult): Promise<void> {
  // The flags the run's product reports raised are the truth; the runner's own count is not trusted.
  const flagsCreated = await db.prisma.flag.count({ where: { runId } });
  // A run that raised flags but did not fail needs a person's look: it ends as WARNING.
  const status = result.status === 'SUCCESS' && flagsCreated > 0 ? 'WARNING' : result.status;
  const moved = await finishRun(db.pool, {
    runId,
    status,
    fromStatuses: ['RUNNING'],
    runnerId: principal.kind === 'runner' ? principal.runnerId : null,
    productsFound: result.productsFound,
    productsProcessed: result.productsProcessed,
    flagsCreated,
    errorMessage: result.errorMessage,
    errorType: result.errorType,
  });
  if (!moved) await explainUnmoved(db, principal, runId, 'RUNNING');
}

export async function cancelRun(db: Database, runId: number): Promise<void> {
  const moved = await finishRun(db.pool, {
    runId,
    status: 'CANCELLED',
    fromStatuses: ['QUEUED', 'RUNNING'],
    runnerId: null,
    errorType: 'CANCELLED',
    errorMessage: 'Cancelled by an admin',
  });
  if (!moved) await explainUnmoved(db, { kind: 'admin', tokenId: null }, runId, 'QUEUED or RUNNING');
}

export async function heartbeat(db: Database, principal: Principal, runId: number, leaseSeconds: number): Promise<void> {
  if (principal.kind !== 'runner') throw new NotAuthorizedError('Only runners send heartbeats');
  const extended = await extendLease(db.pool, runId, principal.runnerId, leaseSeconds);
  if (!extended) await explainUnmoved(db, principal, runId, 'RUNNING');
}

/** Turns "no row changed" into the reason a caller can act on. */
async function explainUnmoved(db: Database, principal: Principal, runId: number, expected: string): Promise<never> {
  const run = await db.prisma.run.findUnique({ where: { id: runId }, select: { status: true, runnerId: true } });
  // A runner learns nothing about runs that are not its own.
  if (!run || (principal.kind === 'runner' && run.runnerId !== principal.runnerId)) {
    throw new NotFoundError('Run', String(runId));
  }
  throw new RunStateError(runId, run.status, expected);
}
