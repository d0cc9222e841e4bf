/**
 * Delivers run_updated announcements from the live bus (NOTIFY, or Redis with PUBSUB_URL) to this
 * instance's runUpdated subscribers and to its own watchers of single runs. Only the newest state
 * of a run matters, so a subscriber's backlog is a set of run ids: bounded by the number of runs,
 * however fast they change.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { BusGap, LiveBus } from '../pubsub/liveBus.ts';
import { KeyedSubscribers } from '../pubsub/keyedSubscribers.ts';
import { parseRunChange, RUN_UPDATED_CHANNEL, runChangePayload, type RunChange } from './sql/notifyRunUpdated.ts';
import { readRunsChangedSince } from './sql/readRunsChangedSince.ts';

/**
 * How far before the bus's last sign of life the catch-up reads. A transition is stamped with its
 * transaction's start but announced at its commit (or after it, on a bus other than NOTIFY), and an
 * announcement may still have been on its way when the connection broke; a run delivered twice
 * costs one re-read.
 */
const CATCH_UP_MARGIN_MS = 10_000;
/** Subscribers of a scraper or of every run want the newest state, not an unbounded backlog. */
const CATCH_UP_LIMIT = 1_000;

type Filter = { runId?: number; scraperId?: number };

export class RunEvents {
  private readonly subscribers = new KeyedSubscribers<number, Filter>();
  /** This instance's own watchers of single runs (the log hub's), apart from GraphQL subscribers. */
  private readonly watchers = new Map<number, Set<() => void>>();
  /** Watchers of every run (the claim wake-ups); null means that announcements may have been missed. */
  private readonly everyRun = new Set<(change: RunChange | null) => void>();
  private stopListening: (() => Promise<void>) | null = null;
  private stopReconnects: (() => void) | null = null;

  private readonly pool: pg.Pool;
  private readonly bus: LiveBus;
  private readonly logger: Logger;

  constructor(
    pool: pg.Pool,
    bus: LiveBus,
    logger: Logger,
  ) {
    this.pool = pool;
    this.bus = bus;
    this.logger = logger;
  }

  async start(): Promise<void> {
    this.stopListening = await this.bus.on(RUN_UPDATED_CHANNEL, (payload) => this.onAnnouncement(payload));
    this.stopReconnects = this.bus.onReconnect((gap) => void this.refreshAfterReconnect(gap));
  }

  /**
   * Tells every instance of runs this instance changed, once their transaction has committed. On
   * NOTIFY the statement that changed each run told them at commit already: nothing to do.
   */
  announce(changes: RunChange[]): void {
    if (this.bus.announcesInTransaction) return;
    for (const change of changes) this.bus.publish(RUN_UPDATED_CHANNEL, runChangePayload(change));
  }

  /**
   * Announcements made while the bus was away are gone. A subscriber of one run gets that run again
   * (it is read fresh from the table, so a missed change shows); subscribers of a scraper or of
   * every run get the runs of theirs that changed since the bus was last known to hear, read from
   * the table.
   */
  private async refreshAfterReconnect(gap: BusGap): Promise<void> {
    for (const handlers of this.watchers.values()) for (const handler of handlers) handler();
    for (const handler of this.everyRun) handler(null);
    const filters = this.subscribers.filters();
    for (const runId of new Set(filters.map((f) => f.runId))) {
      if (runId !== undefined) this.subscribers.deliver(runId, (f) => f.runId === runId);
    }
    const broad = filters.filter((f) => f.runId === undefined);
    if (broad.length === 0) return;
    const everyScraper = broad.some((f) => f.scraperId === undefined);
    const withinMs = gap.missedForMs + CATCH_UP_MARGIN_MS;
    try {
      const changed = await readRunsChangedSince(this.pool, {
        withinMs,
        scraperIds: everyScraper ? null : [...new Set(broad.map((f) => f.scraperId!))],
        limit: CATCH_UP_LIMIT,
      });
      // Oldest change first, as live notifications would have come.
      for (const change of changed.reverse()) this.deliver(change);
      this.logger.info({ withinMs, runs: changed.length }, 'runUpdated caught up after the live bus reconnected');
    } catch (error) {
      this.logger.error({ err: error, withinMs }, 'runUpdated catch-up after the live bus reconnected failed; subscribers see the next change');
    }
  }

  async stop(): Promise<void> {
    this.stopReconnects?.();
    await this.stopListening?.();
    this.subscribers.closeAll();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * Calls onChange whenever the run may have changed (a notification, or a reconnect after which
   * one may have been missed); the caller reads the row. Returns the function that stops watching.
   */
  watch(runId: number, onChange: () => void): () => void {
    let handlers = this.watchers.get(runId);
    if (!handlers) this.watchers.set(runId, (handlers = new Set()));
    handlers.add(onChange);
    return () => {
      handlers.delete(onChange);
      if (handlers.size === 0 && this.watchers.get(runId) === handlers) this.watchers.delete(runId);
    };
  }

  /** Calls onChange with every run change this instance hears of, and with null after announcements may have been missed. */
  watchEveryRun(onChange: (change: RunChange | null) => void): () => void {
    this.everyRun.add(onChange);
    return () => void this.everyRun.delete(onChange);
  }

  /** Yields the id of each matching run that changed, once per change burst. */
  subscribe(filter: Filter): AsyncIterableIterator<number> {
    return this.subscribers.subscribe(filter);
  }

  private onAnnouncement(payload: string): void {
    const change = parseRunChange(payload);
    if (change) this.deliver(change);
    else this.logger.warn({ payload }, 'ignoring malformed run_updated announcement');
  }

  private deliver(change: RunChange): void {
    for (const handler of this.watchers.get(change.runId) ?? []) handler();
    for (const handler of this.everyRun) handler(change);
    this.subscribers.deliver(
      change.runId,
      ({ runId, scraperId }) => (runId === undefined || runId === change.runId) && (scraperId === undefined || scraperId === change.scraperId),
    );
  }
}
