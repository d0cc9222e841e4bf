/**
 * A job the deployment runs every few seconds or minutes on one instance at a time, on the
 * scheduler's pg-boss, in the way of its minute tick: every instance sends the job at the start of
 * each interval, all sends of an interval share one singleton slot (one job per interval, however
 * many instances), the queue is stately (one waiting, one running: a slow run never piles up runs
 * behind it), and the sending instance's worker takes it at once.
 */
import type { Clock, PgBoss } from 'pg-boss';
import type { Logger } from '../logger.ts';

export type PeriodicJob = {
  queue: string;
  intervalSeconds: number;
  /** Runs at the clock's time; a throw marks the job failed (the next interval starts over). */
  run(now: Date): Promise<void>;
};

/** A running job proves its instance alive this often; pg-boss's minimum. */
const HEARTBEAT_SECONDS = 10;
/** How soon after an interval's start the job is sent. */
const OFFSET_MS = 300;
/** How often a worker looks for a job it was not told of (another instance's). */
const POLLING_SECONDS = 2;

export async function startPeriodicJob(boss: PgBoss, clock: Clock, job: PeriodicJob, logger: Logger): Promise<{ stop(): void }> {
  // No retries: the next interval's run does whatever a failed one left undone. A job held by an
  // instance that was killed is failed within seconds (no heartbeat) rather than block the queue.
  const queueOptions = { retryLimit: 0, expireInSeconds: Math.max(60, job.intervalSeconds * 5), heartbeatSeconds: HEARTBEAT_SECONDS };
  await boss.createQueue(job.queue, { policy: 'stately', ...queueOptions });
  await boss.updateQueue(job.queue, queueOptions);
  const slot = { singletonKey: job.queue, singletonSeconds: job.intervalSeconds };
  const workerId = await boss.work(job.queue, { pollingIntervalSeconds: POLLING_SECONDS }, async () => {
    try {
      await job.run(new Date(clock.now()));
    } catch (error) {
      logger.error({ err: error, queue: job.queue }, 'periodic job failed');
      throw error;
    }
  });
  let stopped = false;
  let timer: ReturnType<Clock['setTimeout']> | null = null;
  const arm = () => {
    const now = clock.now();
    const intervalMs = job.intervalSeconds * 1000;
    const at = (Math.floor(now / intervalMs) + 1) * intervalMs + OFFSET_MS;
    timer = clock.setTimeout(() => {
      if (stopped) return;
      arm();
      boss
        .send(job.queue, null, slot)
        .then(() => boss.notifyWorker(workerId))
        .catch((error: unknown) => logger.warn({ err: error, queue: job.queue }, 'could not send the periodic job; another instance or the next interval will'));
    }, at - now);
  };
  arm();
  return {
    stop() {
      stopped = true;
      if (timer) clock.clearTimeout(timer);
    },
  };
}
