/**
 * The transport of live fan-out between server instances, behind one small interface: PostgreSQL
 * LISTEN/NOTIFY by default, Redis pub/sub when PUBSUB_URL is set. It carries both announcements,
 * "this run has new lines up to seq N" and "this run changed"; the lines, the runs and every
 * replay come from PostgreSQL.
 */
import type { ListenerGap, PgListener } from '../db/listener.ts';
import type { Logger } from '../logger.ts';

type Handler = (payload: string) => void;

/**
 * What a reconnect handler learns of the gap: for how long before the transport was back
 * announcements may have been lost. A duration, so that a user compares it with the database's
 * clock rather than the clock of whichever machine measured it.
 */
export type BusGap = { missedForMs: number };

export type LiveBus = {
  /**
   * True when writers announce inside their own transaction (pg_notify, delivered at commit in
   * commit order); false when the announcement is publish()ed after commit. Writers learn it once,
   * at startup (Database.notifyInTransaction).
   */
  readonly announcesInTransaction: boolean;
  /** Calls handler with each payload on channel; returns the unsubscribe function. */
  on(channel: string, handler: Handler): Promise<() => Promise<void>>;
  /** Called after the transport reconnects: whatever was published meanwhile is lost, replay from the table. */
  onReconnect(handler: (gap: BusGap) => void): () => void;
  /** Announces a payload to every instance (a no-op for NOTIFY, where the SQL does it at commit). */
  publish(channel: string, payload: string): void;
  close(): Promise<void>;
};

const busGap = (gap: ListenerGap): BusGap => ({ missedForMs: Math.max(0, gap.restoredAt.getTime() - gap.lastAnsweredAt.getTime()) });

/** NOTIFY fan-out over the process's one LISTEN connection, which the caller owns and closes. */
function notifyBus(listener: PgListener): LiveBus {
  return {
    announcesInTransaction: true,
    on: (channel, handler) => listener.on(channel, handler),
    onReconnect: (handler) => listener.onReconnect((gap) => handler(busGap(gap))),
    publish: () => undefined,
    close: async () => undefined,
  };
}

/** The bus PUBSUB_URL asks for: Redis when set, otherwise NOTIFY on the given listener. */
export async function openLiveBus(options: {
  pubsubUrl: string | undefined;
  databaseUrl: string;
  listener: PgListener;
  logger: Logger;
}): Promise<LiveBus> {
  if (!options.pubsubUrl) return notifyBus(options.listener);
  const { openRedisBus } = await import('./redisBus.ts');
  // Channels are namespaced by database, so that deployments (or test databases) sharing one Redis do not hear each other.
  const database = new URL(options.databaseUrl).pathname.slice(1) || 'postgres';
  const redis = await openRedisBus(options.pubsubUrl, `scrapedeck:${database}:`, options.logger);
  return {
    ...redis,
    // A PostgreSQL outage can fail the reads that followed announcements; its end is a reason to replay too.
    onReconnect(handler) {
      const offRedis = redis.onReconnect(handler);
      const offPostgres = options.listener.onReconnect((gap) => handler(busGap(gap)));
      return () => {
        offRedis();
        offPostgres();
      };
    },
  };
}
