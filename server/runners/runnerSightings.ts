/**
 * Records that runners called, for those whose key came from RunnerKeyCache (a lookup touches
 * last_seen_at itself): every runner seen in the last interval in one statement, instead of a write
 * per call. Like the lookup's touch, a runner seen within the last 5 s is left alone, so that
 * last_seen_at trails a call by at most the interval plus 5 s (the online window is longer).
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';

export class RunnerSightings {
  private seen = new Set<number>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly pool: pg.Pool;
  private readonly logger: Logger;
  private readonly intervalMs: number;

  constructor(pool: pg.Pool, logger: Logger, options: { intervalMs: number }) {
    this.pool = pool;
    this.logger = logger;
    this.intervalMs = options.intervalMs;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes what is pending, so that a stopped instance leaves no call unrecorded. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  saw(runnerId: number): void {
    this.seen.add(runnerId);
  }

  flush(): Promise<void> {
    if (this.seen.size === 0) return this.flushing;
    const ids = [...this.seen];
    this.seen = new Set();
    // One after another: two flushes of one runner would only race to the same value.
    this.flushing = this.flushing.then(() => this.write(ids));
    return this.flushing;
  }

  private async write(ids: number[]): Promise<void> {
    try {
      await this.pool.query({
        name: 'runner_sightings',
        text: `UPDATE runner SET last_seen_at = now()
                WHERE id = ANY($1::int[]) AND (last_seen_at IS NULL OR last_seen_at < now() - interval '5 seconds')`,
        values: [ids],
      });
    } catch (error) {
      // A missed sighting shows the runner offline a little early; its next call is seen again.
      this.logger.warn({ err: error, runners: ids.length }, 'could not record runner calls; their next calls are recorded');
    }
  }
}
