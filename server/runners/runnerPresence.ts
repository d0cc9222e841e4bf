/**
 * Tells runnerUpdated subscribers when a runner goes offline or comes back. A runner is online while
 * it has called the API within the window (auth touches last_seen_at) or holds a wait for work open
 * (claimRun's waitSeconds; a connection closed early ends it); going silent writes nothing,
 * so a sweep reads who is online every few seconds and compares with its last reading. Each
 * instance sweeps for its own subscribers, and only while it has some: the reading is one indexed
 * read of the runner table, and every instance reads the same table, so none needs to tell another.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { KeyedSubscribers } from '../pubsub/keyedSubscribers.ts';


/**
 * Online while the last call is younger than the window, or while it holds a wait for work open; the
 * one rule the Runner.online field and the sweep share.
 */
export function isRunnerOnline(runner: { lastSeenAt: Date | null; waitingUntil: Date | null }, windowSeconds: number, now = Date.now()): boolean {
  if (runner.waitingUntil !== null && runner.waitingUntil.getTime() > now) return true;
  return runner.lastSeenAt !== null && now - runner.lastSeenAt.getTime() < windowSeconds * 1000;
}

export class RunnerPresence {
  private readonly subscribers = new KeyedSubscribers<number>();
  /** The runners online at the last sweep; null until a sweep has read them with subscribers present. */
  private online: Set<number> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private sweeping = false;
  /** Readings taken since start; a subscriber's changes are told relative to the first reading after it arrived. */
  readings = 0;

  private readonly pool: pg.Pool;
  private readonly logger: Logger;
  private readonly windowSeconds: number;
  private readonly sweepSeconds: number;

  constructor(pool: pg.Pool, logger: Logger, options: { windowSeconds: number; sweepSeconds: number }) {
    this.pool = pool;
    this.logger = logger;
    this.windowSeconds = options.windowSeconds;
    this.sweepSeconds = options.sweepSeconds;
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.sweepSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.subscribers.closeAll();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Yields the id of each runner whose presence changed. */
  subscribe(): AsyncIterableIterator<number> {
    // The first subscriber's reading is the one later sweeps compare with.
    return this.subscribers.subscribe(undefined, () => {
      if (this.subscribers.size === 1) void this.sweep();
    });
  }

  /** Compares who is online now with the last sweep and tells subscribers of each runner that crossed. */
  async sweep(): Promise<void> {
    if (this.subscribers.size === 0) {
      // Nobody listens: a reading kept meanwhile would go stale, and the next subscriber starts from the page it loaded.
      this.online = null;
      return;
    }
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const { rows } = await this.pool.query<{ id: number }>({
        name: 'read_online_runners',
        text: `SELECT id FROM runner
                WHERE revoked_at IS NULL AND (last_seen_at > now() - make_interval(secs => $1::float8) OR waiting_until > now())`,
        values: [this.windowSeconds],
      });
      this.readings += 1;
      const now = new Set(rows.map((r) => r.id));
      const before = this.online;
      this.online = now;
      if (!before) return;
      const crossed = [...now].filter((id) => !before.has(id)).concat([...before].filter((id) => !now.has(id)));
      for (const id of crossed) this.deliver(id);
    } catch (error) {
      this.logger.error({ err: error }, 'runner presence sweep failed; the next sweep compares again');
    } finally {
      this.sweeping = false;
    }
  }

  private deliver(runnerId: number): void {
    this.subscribers.deliver(runnerId);
  }
}
