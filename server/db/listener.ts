/**
 * The process's one dedicated LISTEN connection (never from the pool: LISTEN belongs to a session).
 * It reconnects with backoff and jitter, re-LISTENs, and tells its users so that they can replay
 * from the table: notifications sent while it was away are gone for good.
 */
import pg from 'pg';
import { backoffDelay, sleep } from '../../contract/backoff.ts';
import type { Logger } from '../logger.ts';

type Handler = (payload: string) => void;

/**
 * What a reconnect handler learns of the gap: the database's clock on the last query the old
 * connection answered, and on the first the new one answered (LISTEN in force again).
 * Notifications committed between them may be lost (those committed a little before it too, if
 * the connection broke before they arrived), so a user that replays by timestamp reads from
 * somewhat before lastAnsweredAt.
 */
export type ListenerGap = { lastAnsweredAt: Date; restoredAt: Date };

export type PgListener = {
  /** Calls handler with each payload on channel; returns the unsubscribe function. */
  on(channel: string, handler: Handler): Promise<() => Promise<void>>;
  /** Called after every reconnect, once LISTEN is in force again. */
  onReconnect(handler: (gap: ListenerGap) => void): () => void;
  readonly connected: boolean;
  close(): Promise<void>;
};

export type ListenerOptions = { keepAliveMs?: number; maxBackoffMs?: number };

export async function createPgListener(url: string, logger: Logger, options: ListenerOptions = {}): Promise<PgListener> {
  const keepAliveMs = options.keepAliveMs ?? 10_000;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const handlers = new Map<string, Set<Handler>>();
  const reconnectHandlers = new Set<(gap: ListenerGap) => void>();
  let client: pg.Client | undefined;
  let connected = false;
  let closed = false;
  let keepAlive: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;
  // The database's clock as of the current connection's last answer (see ListenerGap).
  let lastAnsweredAt = new Date(0);

  const quote = (channel: string) => `"${channel.replaceAll('"', '""')}"`;

  async function connect(): Promise<void> {
    const next = new pg.Client({
      connectionString: url,
      application_name: 'scrapedeck-listener',
      keepAlive: true,
      // A connect into a silent network would otherwise wait forever and stop the reconnect loop.
      connectionTimeoutMillis: Math.max(keepAliveMs, 5_000),
    });
    next.on('notification', (message) => {
      for (const handler of handlers.get(message.channel) ?? []) {
        try {
          handler(message.payload ?? '');
        } catch (error) {
          logger.error({ err: error, channel: message.channel }, 'notification handler failed');
        }
      }
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'LISTEN connection failed');
      dropped(next);
    });
    next.on('end', () => dropped(next));
    let answeredAt: Date;
    try {
      await next.connect();
      for (const channel of handlers.keys()) await next.query(`LISTEN ${quote(channel)}`);
      // Read after LISTEN: from here on, notifications reach this connection.
      const { rows } = await next.query<{ now: Date }>('SELECT now() AS now');
      answeredAt = rows[0]!.now;
    } catch (error) {
      // A half-open attempt must not linger: the next attempt makes a fresh connection.
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      // close() ran while this attempt was connecting; nobody would ever end this connection.
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    connected = true;
    lastAnsweredAt = answeredAt;
    // A dead TCP peer can stay silent for minutes: a probe that fails, or is still unanswered when
    // the next one is due, is how we learn of it.
    let probing = false;
    keepAlive = setInterval(() => {
      if (probing) {
        logger.warn({ keepAliveMs }, 'LISTEN keep-alive unanswered; reconnecting');
        dropped(next);
        return;
      }
      probing = true;
      next.query<{ now: Date }>('SELECT now() AS now').then(
        ({ rows }) => {
          probing = false;
          if (next === client) lastAnsweredAt = rows[0]!.now;
        },
        (error) => {
          logger.warn({ err: error }, 'LISTEN keep-alive failed');
          dropped(next);
        },
      );
    }, keepAliveMs);
    keepAlive.unref();
  }

  function dropped(which: pg.Client) {
    if (which !== client || !connected) return;
    const lostAfter = lastAnsweredAt;
    connected = false;
    client = undefined;
    clearInterval(keepAlive);
    which.end().catch(() => undefined);
    if (!closed) void reconnect(lostAfter);
  }

  async function reconnect(lostAfter: Date): Promise<void> {
    if (connecting) return connecting;
    connecting = (async () => {
      for (let attempt = 0; !closed; attempt++) {
        await sleep(backoffDelay(attempt, { baseMs: 100, maxMs: maxBackoffMs, jitter: true }));
        if (closed) return;
        try {
          await connect();
          if (closed) return;
          logger.info({ attempt }, 'LISTEN connection restored');
          const gap = { lastAnsweredAt: lostAfter, restoredAt: lastAnsweredAt };
          for (const handler of reconnectHandlers) handler(gap);
          return;
        } catch (error) {
          logger.warn({ err: error, attempt }, 'LISTEN reconnect failed, retrying');
        }
      }
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  await connect();

  return {
    get connected() {
      return connected;
    },
    async on(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        if (client) await client.query(`LISTEN ${quote(channel)}`);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(channel) === set) {
          handlers.delete(channel);
          if (client) await client.query(`UNLISTEN ${quote(channel)}`).catch(() => undefined);
        }
      };
    },
    onReconnect(handler) {
      reconnectHandlers.add(handler);
      return () => reconnectHandlers.delete(handler);
    },
    async close() {
      closed = true;
      clearInterval(keepAlive);
      const current = client;
      client = undefined;
      connected = false;
      if (current) await current.end().catch(() => undefined);
    },
  };
}
