/**
 * Delivers incident_updated announcements from the live bus (NOTIFY, or Redis with PUBSUB_URL) to
 * this instance's incidentUpdated subscribers, and publishes this instance's own changes after
 * commit when the bus is not NOTIFY. A subscriber's backlog is a set of updates, each read fresh
 * when it is sent: an incident that changes many times while a client is slow is sent once.
 */
import type pg from 'pg';
import type { Logger } from '../../logger.ts';
import type { BusGap, LiveBus } from '../../pubsub/liveBus.ts';
import { releasable } from '../../pubsub/releasable.ts';
import { INCIDENT_UPDATED_CHANNEL, incidentUpdatePayload, parseIncidentUpdate, type IncidentUpdate } from './incidentUpdates.ts';

/** As for runs (see runEvents.ts): an announcement may have been on its way when the bus broke. */
const CATCH_UP_MARGIN_MS = 10_000;
const CATCH_UP_LIMIT = 200;

type Listener = { pending: Map<string, IncidentUpdate>; wake: (() => void) | null; closed: boolean };

export class IncidentEvents {
  private readonly listeners = new Set<Listener>();
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
    this.stopListening = await this.bus.on(INCIDENT_UPDATED_CHANNEL, (payload) => {
      const update = parseIncidentUpdate(payload);
      if (update) this.deliver(update);
      else this.logger.warn({ payload }, 'ignoring malformed incident_updated announcement');
    });
    this.stopReconnects = this.bus.onReconnect((gap) => void this.catchUp(gap));
  }

  /**
   * Tells every instance of incidents this instance changed, once their transaction has committed.
   * On NOTIFY the statements that changed them told them at commit already: nothing to do.
   */
  announce(incidentIds: number[]): void {
    if (this.bus.announcesInTransaction) return;
    for (const incidentId of new Set(incidentIds)) this.bus.publish(INCIDENT_UPDATED_CHANNEL, incidentUpdatePayload({ incidentId, notificationId: null }));
  }

  /** Announcements made while the bus was away are gone: the incidents changed meanwhile are sent again. */
  private async catchUp(gap: BusGap): Promise<void> {
    if (this.listeners.size === 0) return;
    const withinMs = gap.missedForMs + CATCH_UP_MARGIN_MS;
    try {
      const { rows } = await this.pool.query<{ id: number }>({
        name: 'read_incidents_changed_since',
        text: `SELECT id FROM incident
                WHERE greatest(last_event_at, acknowledged_at, resolved_at) >= now() - make_interval(secs => $1::float8 / 1000)
                ORDER BY greatest(last_event_at, acknowledged_at, resolved_at), id
                LIMIT $2`,
        values: [withinMs, CATCH_UP_LIMIT],
      });
      for (const { id } of rows) this.deliver({ incidentId: id, notificationId: null });
    } catch (error) {
      this.logger.error({ err: error, withinMs }, 'incidentUpdated catch-up after the live bus reconnected failed; subscribers see the next change');
    }
  }

  async stop(): Promise<void> {
    this.stopReconnects?.();
    await this.stopListening?.();
    for (const l of this.listeners) {
      l.closed = true;
      l.wake?.();
    }
  }

  /** Yields each incident or notification update, once per burst. */
  subscribe(): AsyncIterableIterator<IncidentUpdate> {
    const l: Listener = { pending: new Map(), wake: null, closed: false };
    return releasable(this.stream(l), () => {
      l.closed = true;
      l.wake?.();
    });
  }

  private async *stream(l: Listener): AsyncGenerator<IncidentUpdate> {
    this.listeners.add(l);
    try {
      while (!l.closed) {
        const next = l.pending.entries().next();
        if (next.done) {
          await new Promise<void>((resolve) => (l.wake = resolve));
          l.wake = null;
          continue;
        }
        const [key, update] = next.value;
        l.pending.delete(key);
        yield update;
      }
    } finally {
      this.listeners.delete(l);
    }
  }

  private deliver(update: IncidentUpdate): void {
    const key = `${update.incidentId}:${update.notificationId}`;
    for (const l of this.listeners) {
      l.pending.set(key, update);
      l.wake?.();
    }
  }
}
