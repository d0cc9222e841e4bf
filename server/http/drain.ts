/**
 * Graceful shutdown of the HTTP side. Once draining, a request that arrives (on a connection kept
 * alive, since new connections are no longer accepted) is answered at once with 503, code
 * SHUTTING_DOWN and Connection: close, so that its client goes to another instance; requests in
 * flight finish, and their connections close after their answer (subscriptions travel over websockets
 * only, which are closed with 1001). Once nothing is in flight, the idle connections are closed and
 * the drain is over.
 */
import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { REFUSAL_HEADERS } from './securityHeaders.ts';

const SHUTTING_DOWN = 'SHUTTING_DOWN';

const REFUSAL = JSON.stringify({
  errors: [{ message: 'This server is shutting down; send the request again (another instance will take it)', extensions: { code: SHUTTING_DOWN } }],
});

export type Drain = {
  /** Call for each request: false when it has been answered because the server is shutting down. */
  admit(res: ServerResponse): boolean;
  /** Stops taking requests; resolves once every HTTP connection has closed. */
  begin(server: Server): Promise<void>;
  readonly inFlight: number;
};

/** How long connections with nothing in flight stay open after the last answer, for requests already on their way. */
const LINGER_MS = 100;

export function createDrain(): Drain {
  let draining = false;
  let server: Server | null = null;
  let lingering: NodeJS.Timeout | null = null;
  const responses = new Set<ServerResponse>();

  /** Once nothing is in flight, the connections left (kept alive, idle) are closed, and the drain ends. */
  const closeIdleWhenDone = () => {
    if (!draining || responses.size > 0 || !server) return;
    if (lingering) clearTimeout(lingering);
    const closing = server;
    lingering = setTimeout(() => closing.closeIdleConnections(), LINGER_MS);
  };

  return {
    admit(res) {
      if (draining) {
        res.writeHead(503, { ...REFUSAL_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(REFUSAL), connection: 'close', 'retry-after': '1' }).end(REFUSAL);
        return false;
      }
      responses.add(res);
      res.once('close', () => {
        responses.delete(res);
        closeIdleWhenDone();
      });
      return true;
    },
    begin(http) {
      draining = true;
      server = http;
      // net's close, not http's: http's also closes kept-alive connections at once, and a request
      // already on its way on one would meet a reset instead of its 503.
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(http, () => resolve()));
      // An answer still to come closes its connection after it: no next request on a draining server.
      for (const res of responses) if (!res.headersSent) res.setHeader('connection', 'close');
      closeIdleWhenDone();
      return closed;
    },
    get inFlight() {
      return responses.size;
    },
  };
}

