/**
 * The runners waiting for work on this instance, each on a workAvailable subscription or in a held
 * claimRun. A waiting runner holds no database connection, only its place in line. When a run may
 * have become claimable, the runner that has waited longest among those holding the run's labels is
 * woken: one per announcement on each instance, so a queued run costs a bounded number of claim
 * attempts however many runners wait (no thundering herd). A woken runner that finds nothing (a
 * runner on another instance was quicker) goes back in line; a wake-up that is missed is found by
 * the sweep of claimable runs (see ClaimWakeups), or when the wait ends and the runner looks again.
 */

/** A place in line. Entered before the claim attempt, so a run queued during the attempt still wakes it. */
export type Waiting = {
  /** False when the wait ended as it began (the line was full or closed, or the caller had already hung up). */
  readonly inLine: boolean;
  /** Resolves true when woken, false when the wait ended (its time, the caller hanging up, shutdown). */
  readonly woken: Promise<boolean>;
  /** Leaves the line (the claim attempt found a run). */
  leave(): void;
  /**
   * Hands the wake-up this runner got to the next runner that may take the run, when this one will
   * not look for it (it hung up, or it may no longer claim); nothing when it was not woken.
   */
  passOn(): void;
};

/**
 * A runner waiting on workAvailable keeps about 13.5 KB of heap with its websocket (heap snapshots
 * of 2,000: the connection about 7 KB, the wait held by it the rest), and the heap in use grows by
 * about 14 KB a waiting runner in the fleet benchmark: 16 KB a place leaves room. That is how runners
 * wait; a claim held open by its HTTP exchange, their way where websockets do not get through, keeps
 * about 16 KB once collected and grows the heap in use by about 22 KB, so a line full of those takes
 * about 70% of the heap instead of half.
 */
const HEAP_PER_WAITER = 16 * 1024;

/** The most runners a heap of this size holds in line: half of it, so that ingest and subscriptions keep the other half. */
export const waitersForHeap = (heapLimitBytes: number) => Math.floor(heapLimitBytes / 2 / HEAP_PER_WAITER);

export class ClaimWaiters {
  /** Insertion order is the order of waiting: the first matching waiter has waited longest. */
  private readonly line = new Set<Place>();
  private closed = false;
  /** How many times a waiter was woken since start (a metric, and what tests count to see no herd). */
  woken = 0;
  /** Waits answered at once because the line was full. */
  turnedAway = 0;

  private readonly capacity: number;
  private readonly random: () => number;

  /**
   * capacity: past it a wait ends as it begins (its runner asks again after a pause) rather than
   * the process running out of memory. random: where in the last quarter of its time a wait ends.
   */
  constructor(options: { capacity: number; random?: () => number }) {
    this.capacity = options.capacity;
    this.random = options.random ?? Math.random;
  }

  get size(): number {
    return this.line.size;
  }

  enter(labels: readonly string[], waitMs: number, signal?: AbortSignal): Waiting {
    const full = this.line.size >= this.capacity;
    if (full) this.turnedAway++;
    const place = new Place(this, labels);
    if (this.closed || signal?.aborted || waitMs <= 0 || full) {
      place.settle(false);
      return place;
    }
    this.line.add(place);
    place.inLine = true;
    // A fleet started together would otherwise ask again together every wait, in step for ever:
    // each wait ends at a random point of its last quarter, which spreads them within a few waits.
    place.timeOut(waitMs * (0.75 + this.random() / 4), signal);
    return place;
  }

  /** Takes a place out of line; false when it was not in it (woken, or its wait already over). */
  leaveLine(place: Place): boolean {
    return this.line.delete(place);
  }

  /** Wakes the longest-waiting runner holding every label the run asks for; false when none waits. */
  wake(requiredLabels: readonly string[]): boolean {
    for (const waiter of this.line) {
      if (requiredLabels.every((label) => waiter.labels.has(label))) {
        this.woken++;
        waiter.wokenFor = requiredLabels;
        waiter.settle(true);
        return true;
      }
    }
    return false;
  }

  /** Shutdown: every wait ends at once (its runner is answered null and goes elsewhere), and new ones end as they begin. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.line]) waiter.settle(false);
  }
}

/**
 * One runner's place in line. A class, with its timer and its hang-up handled by the place itself
 * rather than by closures: an idle fleet is thousands of places, and each closure is one more
 * object (and context) for every full GC to mark.
 */
class Place implements Waiting {
  readonly labels: ReadonlySet<string>;
  readonly woken: Promise<boolean>;
  inLine = false;
  /** The labels of the run this place was woken for, to hand on if its runner will not look. */
  wokenFor?: readonly string[];
  private readonly resolve: (woken: boolean) => void;
  private readonly waiters: ClaimWaiters;
  private timer?: NodeJS.Timeout;
  private signal?: AbortSignal;

  constructor(waiters: ClaimWaiters, labels: readonly string[]) {
    this.waiters = waiters;
    this.labels = new Set(labels);
    const { promise, resolve } = Promise.withResolvers<boolean>();
    this.woken = promise;
    this.resolve = resolve;
  }

  timeOut(ms: number, signal?: AbortSignal): void {
    this.timer = setTimeout(Place.timeUp, ms, this);
    this.signal = signal;
    signal?.addEventListener('abort', this, { once: true });
  }

  /** Resolves the wait (once), out of line. */
  settle(woken: boolean): void {
    // Never in line (turned away as it came): nothing to take out.
    if (!this.inLine) return this.resolve(woken);
    if (!this.waiters.leaveLine(this)) return;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this);
    this.resolve(woken);
  }

  /** The caller hung up (its AbortSignal). */
  handleEvent(): void {
    this.settle(false);
  }

  leave(): void {
    this.settle(false);
  }

  passOn(): void {
    if (this.wokenFor) this.waiters.wake(this.wokenFor);
  }

  private static timeUp(place: Place): void {
    place.settle(false);
  }
}
