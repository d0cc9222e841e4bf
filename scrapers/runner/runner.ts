/**
 * The runner's claim loop: `concurrency` workers each wait for the oldest queued run they may take
 * (nextRun.ts), execute it and wait again. stop() stops claiming, lets runs in progress finish for
 * a grace period, then stops and releases them, and sends everything still queued before returning.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '../../contract/backoff.ts';
import { RejectedError, type ApiClient } from './apiClient.ts';
import { nextRun } from './nextRun.ts';
import { leftoverOutboxDirs, Outbox } from './outbox.ts';
import { runJob } from './runJob.ts';

export type RunnerOptions = {
  api: ApiClient;
  logger: Logger;
  name: string;
  concurrency: number;
  pollMs: number;
  /** Whether to wait for work at all (0 polls every pollMs), and how long the API may hold a claim open where it cannot tell of work. */
  waitSeconds: number;
  /** Claim under these of the runner's labels only; null for all of them. */
  labels: string[] | null;
  heartbeatMs: number;
  spoolDir: string;
  /** How long stop() lets runs in progress finish before stopping them. */
  graceMs: number;
  /** How long stop() then keeps trying to deliver before leaving the rest on disk. */
  flushMs: number;
  memoryLimit: number;
};

export class Runner {
  private readonly session = randomBytes(4).toString('hex');
  private readonly stopping = new AbortController();
  private readonly shutdown = new AbortController();
  private giveUpAt = Number.POSITIVE_INFINITY;
  private workers: Promise<void>[] = [];
  private readonly leftovers = new Set<Promise<void>>();
  /** Set when the API refuses this runner's key: waiting will not help. */
  fatal: Error | null = null;

  private readonly options: RunnerOptions;

  constructor(options: RunnerOptions) {
    this.options = options;
  }

  start(): void {
    this.resendLeftovers();
    this.workers = Array.from({ length: this.options.concurrency }, (_, i) => this.work(i));
  }

  /** Resolves when every worker has ended (after stop(), or when the key is refused). */
  async done(): Promise<void> {
    await Promise.all(this.workers);
    // No worker waits for work any more: its websocket would keep the process up.
    await this.options.api.close();
    await Promise.all(this.leftovers);
  }

  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return this.done();
    const { graceMs, flushMs, logger } = this.options;
    logger.info({ graceMs }, 'stopping: no new runs; letting runs in progress finish');
    this.stopping.abort();
    this.giveUpAt = Date.now() + graceMs + flushMs;
    const grace = setTimeout(() => this.shutdown.abort(), graceMs);
    try {
      await this.done();
    } finally {
      clearTimeout(grace);
    }
  }

  private async work(worker: number): Promise<void> {
    const { api, logger, pollMs, waitSeconds, labels } = this.options;
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      let run;
      try {
        // Stopping hangs up on the wait rather than hold the workers until it ends.
        run = await nextRun(api, { waitSeconds, pollMs, labels }, this.stopping.signal);
        failures = 0;
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        if (error instanceof RejectedError && (error.typename === 'NotAuthorized' || error.typename === 'RunnerLabelsNotGrantedError')) {
          this.fatal = error;
          logger.fatal({ err: error.message }, error.typename === 'NotAuthorized' ? 'the API refuses this runner key; stopping' : 'the API refuses these labels; stopping');
          this.stopping.abort();
          break;
        }
        failures++;
        if (failures === 1 || failures % 20 === 0) logger.warn({ err: (error as Error).message, failures }, 'cannot claim runs; retrying');
        // Up to 16 polls apart, and never more than 10 s: a runner notices soon that the API is back. Jittered,
        // so that a fleet cut off by a restart does not come back all at once.
        await sleep(backoffDelay(failures, { baseMs: pollMs, maxMs: Math.min(10_000, 16 * pollMs), jitter: true }), this.stopping.signal);
        continue;
      }
      if (!run) continue;
      logger.info({ jobId: run.id, scraper: run.scraper.slug, worker }, 'claimed run');
      await runJob(run, {
        api,
        logger,
        runnerName: this.options.name,
        session: this.session,
        spoolDir: this.options.spoolDir,
        heartbeatMs: this.options.heartbeatMs,
        memoryLimit: this.options.memoryLimit,
        shutdown: this.shutdown.signal,
        giveUpAt: () => this.giveUpAt,
      }).catch((error: Error) => logger.error({ jobId: run.id, err: error }, 'run failed unexpectedly'));
    }
  }

  /** Sends what an earlier runner process on this spool folder could not, before it is forgotten. */
  private resendLeftovers(): void {
    for (const dir of leftoverOutboxDirs(this.options.spoolDir)) {
      const outbox = new Outbox(this.options.api, dir, this.options.logger, { memoryLimit: this.options.memoryLimit });
      this.options.logger.info({ dir, pending: outbox.pending }, 'sending operations left by an earlier runner process');
      const sending = (async () => {
        while (!(await outbox.drain(Math.min(this.giveUpAt, Date.now() + 1_000))) && Date.now() < this.giveUpAt) {
          // until delivered, or until a stopping runner gives up
        }
        await outbox.close();
      })();
      this.leftovers.add(sending);
      void sending.finally(() => this.leftovers.delete(sending));
    }
  }
}
