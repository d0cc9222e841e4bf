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

/**
 * Yields one signal and ends when a run the runner may claim is claimable now or becomes so; ends
 * without one when the wait runs out or the server shuts down (the runner waits again, elsewhere if
 * this instance is going). The wait counts as the runner's presence until it ends or the runner
 * leaves. An iterator of its own rather than a generator: leaving (return) must end a wait that is
 * still pending, which a generator suspended at an await cannot do.
 */
export function waitForWork(pool: pg.Pool, waiters: ClaimWaiters, wait: WorkWait): AsyncIterableIterator<WorkSignal> {
  const { runnerId, labels, waitMs } = wait;
  // In line before the look, so that a run queued while it reads still wakes this runner.
  const waiting = waiters.enter(labels, waitMs);
  let waitingUntil: Date | null = null;
  let ended = false;
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
  // Read by next() or return(); never left to fail unobserved.
  told.catch(() => {});

  const endPresence = async () => {
    if (waitingUntil) await markRunnerHungUp(pool, runnerId, waitingUntil);
  };

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<WorkSignal>> {
      if (ended) return { done: true, value: undefined };
      const woken = await told;
      if (ended) return { done: true, value: undefined };
      ended = true;
      if (!woken) return { done: true, value: undefined };
      // Its claim moves last_seen_at; the wait's end would otherwise keep it "waiting" after it has gone to work.
      void endPresence().catch(() => {});
      return { done: false, value: { signalledAt: new Date() } };
    },
    async return(): Promise<IteratorResult<WorkSignal>> {
      const pending = !ended;
      ended = true;
      waiting.leave();
      if (pending) {
        // Woken but gone before it was told: the run goes to the next runner in line.
        waiting.passOn();
        await told.then(endPresence, () => {});
      }
      return { done: true, value: undefined };
    },
  };
}
