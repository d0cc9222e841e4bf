/**
 * An idle runner's wait for work as a subscription (workAvailable): a place in line (see
 * ClaimWaiters) and nothing else, no database connection and no operation in flight, for as long as
 * the server allows. It is told once, when a run it may claim may be there, and the runner then
 * claims with claimRun; another runner may have been quicker, and it waits again. Unlike a held
 * claim, a wait costs nothing while it lasts, so it may last long: an idle fleet's cost is its open
 * connections, not a request per runner per wait.
 */
import type pg from 'pg';
import type { ClaimWaiters, Waiting } from './claimWaiters.ts';
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
   * be told, once), false when the wait ended without one (it ran out, the server shuts down, or the
   * line was full); rejects when the first look failed.
   */
  readonly told: Promise<boolean>;
  /** The wait is over (told or not): it stops counting as the runner's presence; a runner told claims next, which moves last_seen_at. */
  ended(): void;
  /** The runner left before it was told: its place is given up, a wake-up it got goes on to the next runner, and its presence ends. Never rejects. */
  leave(): Promise<void>;
};

/** Enters the runner in line and looks once for a run it may claim: the line first, so that a run queued while it reads still wakes it. */
export function startWaitingForWork(pool: pg.Pool, waiters: ClaimWaiters, wait: WorkWait): WaitingForWork {
  return new WorkWaitInLine(pool, waiters, wait);
}

const ignore = () => {};

/** Classes rather than closures: an idle fleet holds thousands of these, each closure one more object to mark at every full GC. */
class WorkWaitInLine implements WaitingForWork {
  readonly told: Promise<boolean>;
  private readonly pool: pg.Pool;
  private readonly runnerId: number;
  private readonly waiting: Waiting;
  /** The end of the wait as recorded, the token markRunnerHungUp takes; null until the look is back. */
  private waitingUntil: Date | null = null;

  constructor(pool: pg.Pool, waiters: ClaimWaiters, { runnerId, labels, waitMs }: WorkWait) {
    this.pool = pool;
    this.runnerId = runnerId;
    this.waiting = waiters.enter(labels, waitMs);
    // Turned away (a full line, or shutdown): no look, and no presence to record for a wait that is not there.
    this.told = this.waiting.inLine ? this.look(labels, waitMs) : Promise.resolve(false);
    // Read by whoever holds the wait; never left to fail unobserved.
    this.told.catch(ignore);
  }

  private async look(labels: readonly string[], waitMs: number): Promise<boolean> {
    let look;
    try {
      look = await lookForClaimableRun(this.pool, { runnerId: this.runnerId, labels, waitingMs: waitMs });
    } catch (error) {
      this.waiting.leave();
      throw error;
    }
    this.waitingUntil = look.waitingUntil;
    if (!look.claimable) return this.waiting.woken;
    this.waiting.leave();
    return true;
  }

  ended(): void {
    this.endPresence().catch(ignore);
  }

  async leave(): Promise<void> {
    this.waiting.leave();
    this.waiting.passOn();
    await this.told.catch(ignore);
    // A socket that closes while the database is away must not become a failure nobody handles.
    await this.endPresence().catch(ignore);
  }

  private async endPresence(): Promise<void> {
    if (this.waitingUntil) await markRunnerHungUp(this.pool, this.runnerId, this.waitingUntil);
  }
}

/**
 * The wait as a stream: one signal, then the end; or the end alone. An iterator of its own rather
 * than a generator: leaving (return) must end a wait that is still pending, which a generator
 * suspended at an await cannot do.
 */
export function signalsOf(wait: WaitingForWork): AsyncIterableIterator<WorkSignal> {
  return new Signals(wait);
}

class Signals implements AsyncIterableIterator<WorkSignal> {
  private readonly wait: WaitingForWork;
  private ended = false;

  constructor(wait: WaitingForWork) {
    this.wait = wait;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WorkSignal> {
    return this;
  }

  async next(): Promise<IteratorResult<WorkSignal>> {
    if (this.ended) return { done: true, value: undefined };
    const woken = await this.wait.told;
    if (this.ended) return { done: true, value: undefined };
    this.ended = true;
    this.wait.ended();
    if (!woken) return { done: true, value: undefined };
    return { done: false, value: { signalledAt: new Date() } };
  }

  async return(): Promise<IteratorResult<WorkSignal>> {
    if (!this.ended) {
      this.ended = true;
      await this.wait.leave();
    }
    return { done: true, value: undefined };
  }
}
