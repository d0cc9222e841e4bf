/** What every resolver receives: who is calling and the process's shared services. */
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { KnownRunnerKeys, Principal } from '../auth/principal.ts';
import type { LogHub } from '../logs/logHub.ts';
import type { RunLogWriter } from '../logs/runLogWriter.ts';
import type { RunEvents } from '../runs/runEvents.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { IncidentEvents } from '../alerts/incidents/incidentEvents.ts';
import type { FlagEvents } from '../flags/flagEvents.ts';
import type { LogSearchPool } from '../logs/search/searchPool.ts';
import type { RunnerPresence } from '../runners/runnerPresence.ts';
import type { ClaimWaiters } from '../runs/claimWaiters.ts';
import type { WorkHolder } from './heldWorkWaits.ts';
import type { ClaimHolder, HeldClaim } from '../http/heldClaims.ts';
import type { GraphQLParams } from 'graphql-yoga';

export type Services = {
  config: Config;
  db: Database;
  logger: Logger;
  logHub: LogHub;
  /** Stores log batches, those of one run together (see RunLogWriter). */
  logWriter: RunLogWriter;
  runEvents: RunEvents;
  incidentEvents: IncidentEvents;
  runnerPresence: RunnerPresence;
  /** The runners waiting for work on this instance (claimRun with waitSeconds). */
  claimWaiters: ClaimWaiters;
  flagEvents: FlagEvents;
  /** The connections log searches run on, apart from the main pool. */
  logSearch: LogSearchPool;
  /** Runner keys this instance found valid (absent: every call looks its key up). */
  knownRunnerKeys?: KnownRunnerKeys;
  /** This instance's Prometheus metrics (absent where nothing scrapes them). */
  metrics?: Metrics;
  /** Absent when this instance does not schedule (SCHEDULER=false). */
  scheduler?: Scheduler;
};

export type Context = Services & {
  principal: Principal;
  requestId: string;
  /** The caller's address, for per-IP rate limits. */
  clientIp?: string;
  /** How the operation came: a graphql-ws connection, or an HTTP request. */
  transport: 'websocket' | 'http';
  /** Over HTTP: aborts when the client hangs up before its answer. */
  hangUp?: () => AbortSignal;
  /** Over HTTP: where a claim's wait is left for the exchange to hold (see http/heldClaims.ts). */
  claimHolder?: ClaimHolder;
  /** The held claim this execution continues, after its runner was woken. */
  continuedClaim?: HeldClaim;
  /** Over websocket: where a workAvailable wait is left for the connection to hold (see graphql/heldWorkWaits.ts). */
  workHolder?: WorkHolder;
  /** The operation as Yoga read it from the request. */
  params?: GraphQLParams;
};

/**
 * The calling runner's id, in the resolver of a field whose auth scope admits runners only (the
 * scope has decided; this only narrows the type).
 */
export function callingRunnerId(ctx: Context): number {
  return callingRunner(ctx).runnerId;
}

/** The calling runner, with the labels an admin gave it (same contract as callingRunnerId). */
export function callingRunner(ctx: Context): Extract<Principal, { kind: 'runner' }> {
  if (ctx.principal.kind !== 'runner') throw new Error('a runner-only field was resolved for another caller');
  return ctx.principal;
}
