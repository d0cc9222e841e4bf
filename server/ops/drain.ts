/**
 * Graceful shutdown of the HTTP side. Once draining, a request that arrives (on a connection kept
 * alive, since new connections are no longer accepted) is answered at once with 503, code
 * SHUTTING_DOWN and Connection: close, so that its client goes to another instance; requests in
 * flight finish, and their connections close after their answer. Streams that never finish (GraphQL
 * over server-sent events) are ended, as websockets are closed with 1001. The drain is over as soon
 * as the last connection has closed.
 */
import type { Server, ServerResponse } from 'node:http';

export const SHUTTING_DOWN = 'SHUTTING_DOWN';

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

export function createDrain(): Drain {
  let draining = false;
  const responses = new Set<ServerResponse>();

  return {
    admit(res) {
      if (draining) {
        res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(REFUSAL), connection: 'close', 'retry-after': '1' }).end(REFUSAL);
        return false;
      }
      responses.add(res);
      res.once('close', () => responses.delete(res));
      return true;
    },
    begin(server) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of responses) {
        if (isEventStream(res)) res.end();
        // An answer still to come closes its connection after it: no next request on a draining server.
        else if (!res.headersSent) res.setHeader('connection', 'close');
        // One already on its way leaves its connection kept alive, and idle once it is sent.
        else res.once('close', () => server.closeIdleConnections());
      }
      // Kept-alive connections with nothing in flight have nothing to finish.
      server.closeIdleConnections();
      return closed;
    },
    get inFlight() {
      return responses.size;
    },
  };
}

/** GraphQL over server-sent events: asked for by the request, whatever the response has written so far. */
function isEventStream(res: ServerResponse): boolean {
  return Boolean(res.req.headers.accept?.includes('text/event-stream')) || String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
}
