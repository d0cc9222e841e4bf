/**
 * One graphql-ws subscription over a bare `ws` socket, so that a test can see close codes as sent
 * and stop reading the socket like a stalled browser tab would.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { conditionWaiter } from './conditionWaiter.ts';

export type RawSubscription = {
  socket: WebSocket;
  /** payloads of `next` messages, in arrival order */
  results: Array<{ data?: any; errors?: any[] }>;
  /** payloads of `error` messages */
  errors: any[];
  completed: boolean;
  closed: { code: number; reason: string } | null;
  /** Stops reading from the TCP socket: the kernel buffers fill and the server's writes stall. */
  pause(): void;
  resume(): void;
  waitFor(condition: () => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
};

export async function openRawSubscription(
  wsUrl: string,
  connectionParams: Record<string, string>,
  query: string,
  variables: Record<string, unknown>,
): Promise<RawSubscription> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  const { notify, waitFor } = conditionWaiter(
    () => `${sub.results.length} results, errors ${JSON.stringify(sub.errors)}, closed ${JSON.stringify(sub.closed)}`,
  );
  const sub: RawSubscription = {
    socket,
    results: [],
    errors: [],
    completed: false,
    closed: null,
    pause: () => (socket as unknown as { _socket: Socket })._socket.pause(),
    resume: () => (socket as unknown as { _socket: Socket })._socket.resume(),
    close: () => socket.close(1000),
    waitFor: (condition, timeoutMs = 20_000) => waitFor(condition, timeoutMs),
  };
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw));
    if (message.type === 'next') sub.results.push(message.payload);
    else if (message.type === 'error') sub.errors.push(...(Array.isArray(message.payload) ? message.payload : [message.payload]));
    else if (message.type === 'complete') sub.completed = true;
    else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
    else if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
    notify();
  });
  socket.on('close', (code, reason) => {
    sub.closed = { code, reason: String(reason) };
    notify();
  });
  // A socket error is always followed by 'close', which is what the tests look at.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams }));
  return sub;
}
