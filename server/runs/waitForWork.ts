/**
 * An idle runner's wait for work as a subscription (workAvailable): a place in line (see
 * ClaimWaiters) and nothing else, no database connection and no operation in flight, for as long as
 * the server allows. It is told once, when a run it may claim may be there, and the runner then
 * claims with claimRun; another runner may have been quicker, and it waits again. Unlike a held
 * claim, a wait costs nothing while it lasts, so it may last long: an idle fleet's cost is its open
 * connections, not a request per runner per wait.
 */
import type pg from 'pg';
import type { ClaimWaiters } from './claimWaiters.ts';
import { lookForClaimableRun } from './sql/claimOldestQueuedRun.ts';
import { markRunnerHungUp } from '../runners/sql/runnerWaits.ts';

export type WorkSignal = { signalledAt: Date };

export type WorkWait = {
  runnerId: number;
  /** The labels the runner claims under: only a run asking for none beyond them signals it. */
  labels: readonly string[];
  waitMs: number;
};

/** A runner's wait for work under way, held by its subscription's execution or by its connection. */
export type WaitingForWork = {
  /**
   * Resolves true once a run the runner may claim is claimable now or becomes so (the runner is to
   * be told, once), false when the wait ended without one (it ran out, or the server shuts down);
   * rejects when the first look failed.
   */
  readonly told: Promise<boolean>;
  /** The runner was told: its wait stops counting as presence, as the claim it makes next moves last_seen_at. */
  toldRunner(): void;
  /** The runner left before it was told: its place is given up, a wake-up it got goes on to the next runner, and its presence ends. */
  leave(): Promise<void>;
};

/** Enters the runner in line and looks once for a run it may claim: the line first, so that a run queued while it reads still wakes it. */
export function startWaitingForWork(pool: pg.Pool, waiters: ClaimWaiters, wait: WorkWait): WaitingForWork {
  const { runnerId, labels, waitMs } = wait;
  const waiting = waiters.enter(labels, waitMs);
  let waitingUntil: Date | null = null;
  const told = lookForClaimableRun(pool, { runnerId, labels, waitingMs: waitMs }).then(
    (look) => {
      waitingUntil = look.waitingUntil;
      if (!look.claimable) return waiting.woken;
      waiting.leave();
      return true;
    },
    (error: unknown) => {
      waiting.leave();
      throw error;
    },
  );
  // Read by whoever holds the wait; never left to fail unobserved.
  told.catch(() => {});
  const endPresence = async () => {
    if (waitingUntil) await markRunnerHungUp(pool, runnerId, waitingUntil);
  };
  return {
    told,
    toldRunner: () => void endPresence().catch(() => {}),
    leave: async () => {
      waiting.leave();
      waiting.passOn();
      await told.then(endPresence, () => {});
    },
  };
}

/**
 * The wait as a stream: one signal, then the end; or the end alone. An iterator of its own rather
 * than a generator: leaving (return) must end a wait that is still pending, which a generator
 * suspended at an await cannot do.
 */
export function signalsOf(wait: WaitingForWork): AsyncIterableIterator<WorkSignal> {
  let ended = false;
  const stream: AsyncIterableIterator<WorkSignal> = {
    [Symbol.asyncIterator]: () => stream,
    async next(): Promise<IteratorResult<WorkSignal>> {
      if (ended) return { done: true, value: undefined };
      const woken = await wait.told;
      if (ended) return { done: true, value: undefined };
      ended = true;
      if (!woken) return { done: true, value: undefined };
      wait.toldRunner();
      return { done: false, value: { signalledAt: new Date() } };
    },
    async return(): Promise<IteratorResult<WorkSignal>> {
      if (!ended) {
        ended = true;
        await wait.leave();
      }
      return { done: true, value: undefined };
    },
  };
  return stream;
}
