/**
 * Tells this instance's flagsChanged subscribers that the cleanup queue changed (flags raised by a
 * run, resolved or reopened by a person), through the live bus so that every instance hears it.
 * The announcement carries nothing: subscribers read the queue again. A burst of changes while a
 * client is slow is sent as one.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { LiveBus } from '../pubsub/liveBus.ts';
import { KeyedSubscribers } from '../pubsub/keyedSubscribers.ts';

const FLAGS_CHANGED_CHANNEL = 'flags_changed';

export class FlagEvents {
  private readonly subscribers = new KeyedSubscribers<true>();
  private stopListening: (() => Promise<void>) | null = null;
  private stopReconnects: (() => void) | null = null;

  private readonly pool: pg.Pool;
  private readonly bus: LiveBus;
  private readonly logger: Logger;

  constructor(pool: pg.Pool, bus: LiveBus, logger: Logger) {
    this.pool = pool;
    this.bus = bus;
    this.logger = logger;
  }

  async start(): Promise<void> {
    this.stopListening = await this.bus.on(FLAGS_CHANGED_CHANNEL, () => this.deliver());
    // Whatever changed while the bus was away: subscribers read the queue again.
    this.stopReconnects = this.bus.onReconnect(() => this.deliver());
  }

  /** Called after the change committed. NOTIFY has no publish of its own, so one is sent here. */
  announce(): void {
    if (!this.bus.announcesInTransaction) {
      this.bus.publish(FLAGS_CHANGED_CHANNEL, '');
      return;
    }
    this.pool.query(`SELECT pg_notify('${FLAGS_CHANGED_CHANNEL}', '')`).catch((error: unknown) => {
      this.logger.error({ err: error }, 'flags_changed announcement failed; subscribers see the next change');
    });
  }

  async stop(): Promise<void> {
    this.stopReconnects?.();
    await this.stopListening?.();
    this.subscribers.closeAll();
  }

  /** Yields once per burst of changes. */
  subscribe(): AsyncIterableIterator<true> {
    return this.subscribers.subscribe(undefined);
  }

  private deliver(): void {
    this.subscribers.deliver(true);
  }
}
