/** A local HTTP receiver for outbound deliveries: records every request and answers from a script of statuses. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { conditionWaiter } from './conditionWaiter.ts';

type Received = { path: string; headers: IncomingHttpHeaders; body: string };

export type HttpReceiver = {
  url(path?: string): string;
  port: number;
  received: Received[];
  /** Connections made to it, requests or not. */
  connections: number;
  /** The status of each next answer, in order; once used up, every answer is `then` (200 by default). */
  answer(statuses: number[], then?: number): void;
  /** Answers requests to `path` with a redirect to `location`. */
  redirect(path: string, location: string): void;
  waitFor(condition: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

/** delayMs: each answer waits this long, so that deliveries overlap. */
export async function startHttpReceiver(options: { body?: string; delayMs?: number } = {}): Promise<HttpReceiver> {
  const received: Received[] = [];
  let script: number[] = [];
  let fallback = 200;
  const redirects = new Map<string, string>();
  const { notify, waitFor } = conditionWaiter(() => `${received.length} requests received`);
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      notify();
      const location = redirects.get(path);
      if (location) return void res.writeHead(302, { location }).end();
      const status = script.shift() ?? fallback;
      const respond = () => res.writeHead(status, { 'content-type': 'text/plain' }).end(options.body ?? `answered ${status}`);
      if (options.delayMs) setTimeout(respond, options.delayMs);
      else respond();
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    port,
    received,
    get connections() {
      return connections;
    },
    answer(statuses, then = 200) {
      script = [...statuses];
      fallback = then;
    },
    redirect(path, location) {
      redirects.set(path, location);
    },
    waitFor: (condition, timeoutMs = 20_000) => waitFor(() => condition(received), timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
