/**
 * Wakes waiting runners from the database's own announcements of run changes (NOTIFY, or the Redis
 * bus where PUBSUB_URL is set), on every instance. A change to a run of a scraper may have made a
 * run claimable (one was queued, or the run ahead of it ended); the changes of a moment are read
 * together, in one query, and each scraper with a claimable run wakes one runner holding its labels.
 * After the bus was away, every scraper is read. And while runners wait, every scraper is swept every
 * few seconds: a wake-up can be lost (its runner's connection died unseen, or the runner never claimed),
 * and a wait held by a subscription may last half an hour, too long to find such a run by its end. A
 * run still claimable a whole sweep later was missed, and wakes a runner; one just announced is left
 * to the runner it woke.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { ClaimWaiters } from './claimWaiters.ts';
import type { RunEvents } from './runEvents.ts';
import { readClaimableRuns } from './sql/readClaimableRuns.ts';

export class ClaimWakeups {
  private readonly changedScrapers = new Set<number>();
  private everyScraper = false;
  /** A read is scheduled or under way; changes meanwhile wait for the next. */
  private reading = false;
  private stopWatching: (() => void) | null = null;
  private sweeper: ReturnType<typeof setInterval> | null = null;
  private sweeping = false;
  /** The runs the last sweep found claimable. */
  private sweptBefore = new Set<number>();

  private readonly pool: pg.Pool;
  private readonly waiters: ClaimWaiters;
  private readonly runEvents: RunEvents;
  private readonly logger: Logger;

  private readonly sweepMs: number;

  /** sweepMs: how often every scraper is read while runners wait. */
  constructor(pool: pg.Pool, waiters: ClaimWaiters, runEvents: RunEvents, logger: Logger, options: { sweepMs: number }) {
    this.pool = pool;
    this.waiters = waiters;
    this.runEvents = runEvents;
    this.logger = logger;
    this.sweepMs = options.sweepMs;
  }

  start(): void {
    this.stopWatching = this.runEvents.watchEveryRun((change) => {
      // Nobody waits: a runner that starts waiting claims first, and finds what was queued before.
      if (this.waiters.size === 0) return;
      if (change) this.changedScrapers.add(change.scraperId);
      else this.everyScraper = true;
      this.schedule();
    });
    this.sweeper = setInterval(() => void this.sweep(), this.sweepMs);
    this.sweeper.unref();
  }

  stop(): void {
    this.stopWatching?.();
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private schedule(): void {
    if (this.reading) return;
    this.reading = true;
    setImmediate(() => void this.read());
  }

  private async read(): Promise<void> {
    const scraperIds = this.everyScraper ? null : [...this.changedScrapers];
    this.changedScrapers.clear();
    this.everyScraper = false;
    try {
      const claimable = await readClaimableRuns(this.pool, scraperIds);
      for (const { labels } of claimable) this.waiters.wake(labels);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read which runs became claimable; waiting runners find them when their waits end');
    } finally {
      this.reading = false;
      if (this.changedScrapers.size > 0 || this.everyScraper) this.schedule();
    }
  }

  private async sweep(): Promise<void> {
    if (this.waiters.size === 0) {
      this.sweptBefore.clear();
      return;
    }
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const claimable = await readClaimableRuns(this.pool, null);
      const found = new Set<number>();
      for (const { runId, labels } of claimable) {
        found.add(runId);
        if (this.sweptBefore.has(runId)) this.waiters.wake(labels);
      }
      this.sweptBefore = found;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not sweep for runs left claimable; the next sweep reads again');
    } finally {
      this.sweeping = false;
    }
  }
}
