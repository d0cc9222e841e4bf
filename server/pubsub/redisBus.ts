/**
 * Live fan-out over Redis pub/sub, for when NOTIFY's single commit-time queue is the limit.
 * Subscriptions go through @graphql-yoga/redis-event-target (ref-counted: SUBSCRIBE on a topic's
 * first listener, UNSUBSCRIBE on its last); publishing goes straight to the client so that a
 * failure is logged rather than left as an unhandled rejection.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { backoffDelay } from '../../contract/backoff.ts';
import type { BusGap, LiveBus } from './liveBus.ts';

const CONNECT_TIMEOUT_MS = 10_000;
/** A subscription connection whose peer died silently hears nothing and says nothing: a PING unanswered this long ends it. */
const KEEP_ALIVE_MS = 10_000;

export async function openRedisBus(url: string, prefix: string, logger: Logger): Promise<LiveBus> {
  const connectionName = `${prefix.replaceAll(':', '-')}pubsub`.replace(/[^\w.-]/g, '_');
  // Backoff with jitter, capped at 5 s, like the LISTEN connection.
  const retryStrategy = (attempt: number) => backoffDelay(attempt, { baseMs: 100, maxMs: 5_000, jitter: true });
  const publishClient = new Redis(url, { connectionName, retryStrategy, lazyConnect: true });
  // A subscription must never be dropped for a slow reconnect: it waits in the offline queue instead.
  const subscribeClient = new Redis(url, { connectionName, retryStrategy, lazyConnect: true, maxRetriesPerRequest: null });
  for (const [role, client] of [['publish', publishClient], ['subscribe', subscribeClient]] as const) {
    client.on('error', (error) => logger.warn({ err: error, role }, 'Redis pub/sub connection failed'));
  }
  // allSettled: when one connection fails, the other's outcome must still be handled.
  const attempts = await Promise.allSettled([publishClient, subscribeClient].map((client) => withTimeout(client.connect(), url)));
  const failure = attempts.find((result) => result.status === 'rejected');
  if (failure) {
    publishClient.disconnect();
    subscribeClient.disconnect();
    throw failure.reason;
  }

  const target = createRedisEventTarget<CustomEvent<string>>({ publishClient, subscribeClient });
  const reconnectHandlers = new Set<(gap: BusGap) => void>();
  let connected = true;
  // Counts the subscription's connections, so that an answer that comes over a later one (ioredis
  // sends unanswered commands again) is not taken for a sign of life of the earlier one.
  let connection = 0;
  // This machine's monotonic clock when the subscription was last known to hear.
  let lastAnsweredAt = performance.now();
  let probing = false;
  subscribeClient.on('close', () => {
    connected = false;
    connection++;
    probing = false;
  });
  // ioredis re-subscribes on reconnect by itself; what was published while away is replayed from PostgreSQL.
  subscribeClient.on('ready', () => {
    if (connected) return;
    connected = true;
    // 'ready' comes just before ioredis sends its SUBSCRIBEs; a PING sent after them is answered once
    // they are in force, and only then does a replay from the table leave no gap behind it.
    setImmediate(() => {
      const restored = connection;
      subscribeClient.ping().then(
        () => {
          if (restored !== connection) return;
          const gap = { missedForMs: performance.now() - lastAnsweredAt };
          lastAnsweredAt = performance.now();
          logger.info(gap, 'Redis pub/sub connection restored');
          for (const handler of reconnectHandlers) handler(gap);
        },
        // Lost again before the answer: the next 'ready' replays.
        (error: unknown) => logger.warn({ err: error }, 'Redis pub/sub connection lost while restoring'),
      );
    });
  });

  const keepAlive = setInterval(() => {
    if (!connected) return;
    if (probing) {
      logger.warn({ keepAliveMs: KEEP_ALIVE_MS }, 'Redis pub/sub keep-alive unanswered; reconnecting');
      probing = false;
      subscribeClient.disconnect(true);
      return;
    }
    probing = true;
    const probed = connection;
    subscribeClient.ping().then(
      () => {
        if (probed !== connection) return;
        probing = false;
        if (connected) lastAnsweredAt = performance.now();
      },
      // The connection's own 'close' starts the reconnect.
      () => undefined,
    );
  }, KEEP_ALIVE_MS);
  keepAlive.unref();

  return {
    announcesInTransaction: false,
    async on(channel, handler) {
      const listener = (event: CustomEvent<string>) => handler(event.detail);
      target.addEventListener(prefix + channel, listener);
      return async () => target.removeEventListener(prefix + channel, listener);
    },
    onReconnect(handler) {
      reconnectHandlers.add(handler);
      return () => reconnectHandlers.delete(handler);
    },
    publish(channel, payload) {
      publishClient.publish(prefix + channel, JSON.stringify(payload)).catch((error: unknown) => {
        // The lines are stored; subscribers catch up at the run's next announcement or on reconnect.
        logger.warn({ err: error, channel }, 'Redis publish failed');
      });
    },
    async close() {
      clearInterval(keepAlive);
      await Promise.all([publishClient.quit(), subscribeClient.quit()].map((p) => p.catch(() => undefined)));
    },
  };
}

function withTimeout(connecting: Promise<void>, url: string): Promise<void> {
  // Host and port only: the URL may carry a password.
  const { hostname, port } = new URL(url);
  const where = `${hostname}:${port || 6379}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`could not connect to Redis at PUBSUB_URL (${where}): no answer within ${CONNECT_TIMEOUT_MS / 1000} s`));
    }, CONNECT_TIMEOUT_MS);
    connecting.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(new Error(`could not connect to Redis at PUBSUB_URL (${where}): ${(error as Error).message}`, { cause: error }));
      },
    );
  });
}
