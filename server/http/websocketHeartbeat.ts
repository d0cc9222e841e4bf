/**
 * Pings every websocket once a period, and cuts off one that has not answered the previous ping
 * (its subscriptions are then released), with one timer for all of them. graphql-ws's own keep-alive
 * gives each socket an interval, a timeout per ping and a pong listener per ping: at 10,000 idle
 * runners that was 833 pings a second each allocating its own timer and listener. Here a socket is
 * given a slot when it connects, and each tick pings the sockets of one slot, so that a period's
 * pings are spread over it rather than sent in one burst that would stall the event loop.
 * (ws answers a ping by itself, so a client that reads its socket is never cut off.)
 */
import type { WebSocket, WebSocketServer } from 'ws';

/** Ticks at most this far apart: a period's pings go out in slices (833 a tick at 10,000 sockets and 12 s), not at once. */
const MAX_TICK_MS = 1_000;

export function startWebsocketHeartbeat(wss: WebSocketServer, periodMs: number): () => void {
  const tickMs = Math.min(periodMs, MAX_TICK_MS);
  const slots = Math.max(1, Math.round(periodMs / tickMs));
  const slotOf = new WeakMap<WebSocket, number>();
  /** Sockets pinged whose pong has not come back yet. */
  const unanswered = new WeakSet<WebSocket>();
  let next = 0;
  let tick = 0;

  const answered = function (this: WebSocket) {
    unanswered.delete(this);
  };
  wss.on('connection', (socket) => {
    slotOf.set(socket, next++ % slots);
    socket.on('pong', answered);
  });

  const timer = setInterval(() => {
    const slot = tick++ % slots;
    for (const socket of wss.clients) {
      if (slotOf.get(socket) !== slot || socket.readyState !== socket.OPEN) continue;
      if (unanswered.has(socket)) {
        socket.terminate();
        continue;
      }
      unanswered.add(socket);
      socket.ping();
    }
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
