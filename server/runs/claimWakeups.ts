/**
 * Wakes waiting runners from the database's own announcements of run changes (NOTIFY, or the Redis
 * bus where PUBSUB_URL is set), on every instance. A change to a run of a scraper may have made a
 * run claimable (one was queued, or the run ahead of it ended); the changes of a moment are read
 * together, in one query, and each scraper with a claimable run wakes one runner holding its labels.
 * After the bus was away, every scraper is read.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { ClaimWaiters } from './claimWaiters.ts';
import type { RunEvents } from './runEvents.ts';
import { readClaimableLabels } from './sql/readClaimableLabels.ts';

export class ClaimWakeups {
  private readonly changedScrapers = new Set<number>();
  private everyScraper = false;
  /** A read is scheduled or under way; changes meanwhile wait for the next. */
  private reading = false;
  private stopWatching: (() => void) | null = null;

  private readonly pool: pg.Pool;
  private readonly waiters: ClaimWaiters;
  private readonly runEvents: RunEvents;
  private readonly logger: Logger;

  constructor(pool: pg.Pool, waiters: ClaimWaiters, runEvents: RunEvents, logger: Logger) {
    this.pool = pool;
    this.waiters = waiters;
    this.runEvents = runEvents;
    this.logger = logger;
  }

  start(): void {
    this.stopWatching = this.runEvents.watchEveryRun((change) => {
      // Nobody waits: a runner that starts waiting claims first, and finds what was queued before.
      if (this.waiters.size === 0) return;
      if (change) this.changedScrapers.add(change.scraperId);
      else this.everyScraper = true;
      this.schedule();
    });
  }

  stop(): void {
    this.stopWatching?.();
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
      const claimable = await readClaimableLabels(this.pool, scraperIds);
      for (const labels of claimable) this.waiters.wake(labels);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read which runs became claimable; waiting runners find them when their waits end');
    } finally {
      this.reading = false;
      if (this.changedScrapers.size > 0 || this.everyScraper) this.schedule();
    }
  }
}
